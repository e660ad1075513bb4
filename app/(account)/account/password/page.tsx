import { ChangePasswordForm } from '@/components/account/change-password-form';
import { AppShell } from '@/components/layout/app-shell';
import { signOutNow } from '@/lib/actions/auth';
import { requireAccountHolder } from '@/lib/server/dal/account';

// Open to every role. A session opened with a temporary password lands here and can go nowhere else
// until it is replaced (every other page and action refuses it), so that one gets no navigation.
export default async function ChangePasswordPage() {
  const { actor, mustChangePassword } = await requireAccountHolder();
  const content = (
    <>
      <h1>{mustChangePassword ? 'Choose your password' : 'Change password'}</h1>
      {mustChangePassword ? (
        <p className="muted">
          You signed in with a temporary password from an administrator. Choose your own to continue: nobody else will know it.
        </p>
      ) : (
        <p className="muted">Changing it signs you out everywhere, here included; then sign in with the new one.</p>
      )}
      <div className="panel">
        <ChangePasswordForm isTemporary={mustChangePassword} />
      </div>
    </>
  );
  if (!mustChangePassword) return <AppShell user={actor}>{content}</AppShell>;
  return (
    <main className="auth-page">
      <div className="panel auth-card">
        {content}
        <form action={signOutNow}>
          <button className="button secondary" type="submit">
            Sign out
          </button>
        </form>
      </div>
    </main>
  );
}
