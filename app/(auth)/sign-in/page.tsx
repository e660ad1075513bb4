import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/auth/sign-in-form';
import { findSessionLanding } from '@/lib/server/dal/require-permission';

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const landing = await findSessionLanding();
  if (landing) redirect(landing);
  const { password } = await searchParams;
  return (
    <main className="auth-page">
      <div className="panel auth-card">
        <h1>RFR Workstation</h1>
        <p className="muted">Retrospective facial recognition. Every search, view and decision is recorded.</p>
        {password === 'changed' ? (
          <p className="alert ok" role="status">
            Password changed, and every session of yours ended. Sign in with the new password.
          </p>
        ) : null}
        <SignInForm />
      </div>
    </main>
  );
}
