/**
 * A temporary password, shown once to the administrator who made it. It is not kept anywhere they can
 * see it again: the account holder must replace it at first sign-in.
 */
export function TemporaryPassword({ email, password, lead }: { email: string; password: string; lead: string }) {
  return (
    <div className="alert ok" role="status">
      {lead} Temporary password for {email}:{' '}
      <code className="mono" data-testid="temporary-password">
        {password}
      </code>
      <br />
      <span className="hint">Shown only now. Hand it over in person; they choose their own password when they first sign in with it.</span>
    </div>
  );
}
