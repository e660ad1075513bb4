const TONE: Record<string, string> = { good: 'ok', usable: 'warn', poor: 'danger' };

/**
 * Every face of a probe made of several faces of one person (stills or frames), in the order searched,
 * each with the quality verdict it was judged by and, for a frame of a clip, where in the clip it was taken. A search of one face shows none: its face is beside
 * every candidate already.
 */
export function ProbeFaceStrip({ faces }: { faces: { id: string; position: number; qualityVerdict: string; clipFrame?: string | null }[] }) {
  if (faces.length < 2) return null;
  return (
    <section aria-labelledby="probe-faces-heading" data-testid="probe-faces">
      <h2 id="probe-faces-heading">Probe faces ({faces.length})</h2>
      <p className="muted">Searched together as one person: each candidate&apos;s score is their best over these faces.</p>
      <ol className="row" style={{ listStyle: 'none', padding: 0, flexWrap: 'wrap' }}>
        {faces.map((face) => (
          <li key={face.id} className="stack" style={{ alignItems: 'center' }}>
            {/* eslint-disable-next-line @next/next/no-img-element -- authorised crop route, never optimised or cached */}
            <img src={`/api/crops/probe/${face.id}`} alt={`Probe face ${face.position + 1}`} width={72} height={72} className="thumb" />
            <span className={`badge ${TONE[face.qualityVerdict] ?? 'muted'}`}>quality {face.qualityVerdict}</span>
            {face.clipFrame ? (
              <span className="muted" data-testid="probe-face-frame" style={{ maxWidth: '10rem', textAlign: 'center' }}>
                {face.clipFrame}
              </span>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
