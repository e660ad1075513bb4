import { listRegisteredModels } from '@/lib/server/dal/model-registry';
import { requirePermission } from '@/lib/server/dal/require-permission';

export default async function ModelRegistryPage() {
  await requirePermission('settings:manage', '/admin/models');
  const models = await listRegisteredModels();
  return (
    <>
      <h1>Model registry</h1>
      <p className="muted">
        The models in <code>public/models/manifest.json</code>. Every file is checked against its SHA-256 before it is loaded, in the browser and on
        the server; a recogniser&apos;s scores are read through the calibration table measured for that exact model.
      </p>
      <table data-testid="model-registry">
        <thead>
          <tr>
            <th>Model</th>
            <th>Role</th>
            <th>File and SHA-256</th>
            <th>Licence</th>
            <th>Calibration</th>
          </tr>
        </thead>
        <tbody>
          {models.map((model) => (
            <tr key={model.id}>
              <td className="mono">
                {model.id} {model.isDefault ? <span className="badge ok">in use</span> : null}
              </td>
              <td>{model.role}</td>
              <td className="mono" style={{ wordBreak: 'break-all' }}>
                {model.file}
                {model.bytes ? ` (${model.bytes.toLocaleString('en-GB')} bytes)` : ''}
                <br />
                {model.sha256}
              </td>
              <td>{model.licence}</td>
              <td>
                {model.calibration ? (
                  <>
                    {model.calibration.dataset}, measured {model.calibration.measuredAt}: {model.calibration.impostorComparisons.toLocaleString('en-GB')} impostor
                    and {model.calibration.genuineComparisons.toLocaleString('en-GB')} genuine comparisons.
                    <ul className="muted">
                      {model.calibration.thresholds.map((threshold) => (
                        <li key={threshold.fmr}>
                          1 in {(1 / threshold.fmr).toLocaleString('en-GB')}: score {threshold.score === null ? 'not reached in the measurement' : threshold.score.toFixed(4)}
                        </li>
                      ))}
                    </ul>
                  </>
                ) : model.role === 'recognizer' ? (
                  <span className="badge danger">no calibration table: scores cannot be described</span>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
