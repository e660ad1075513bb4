/** A client secret, shown once to the administrator who made it; only its digest is kept. */
export function ClientSecret({ lead, clientId, secret }: { lead: string; clientId: string; secret: string }) {
  return (
    <div className="alert ok" role="status">
      {lead} Client id{' '}
      <code className="mono" data-testid="client-id">
        {clientId}
      </code>
      , secret:{' '}
      <code className="mono" data-testid="client-secret">
        {secret}
      </code>
      <br />
      <span className="hint">Shown only now. Put it in the partner system’s secret store; it cannot be shown again, only rotated.</span>
    </div>
  );
}
