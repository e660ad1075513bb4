import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/auth/sign-in-form';
import { findSignedInActor } from '@/lib/server/dal/require-permission';

export default async function SignInPage() {
  if (await findSignedInActor()) redirect('/');
  return (
    <main className="auth-page">
      <div className="panel auth-card">
        <h1>RFR Workstation</h1>
        <p className="muted">Retrospective facial recognition. Every search, view and decision is recorded.</p>
        <SignInForm />
      </div>
    </main>
  );
}
