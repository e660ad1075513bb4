import Link from 'next/link';

export default function Forbidden() {
  return (
    <main className="auth-page">
      <div className="panel auth-card" role="alert">
        <h1>Not permitted</h1>
        <p>Your role does not give access to this page. The attempt has been recorded in the audit log.</p>
        <Link href="/">Go to your home page</Link>
      </div>
    </main>
  );
}
