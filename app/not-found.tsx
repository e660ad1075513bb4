import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="auth-page">
      <div className="panel auth-card">
        <h1>Not found</h1>
        <p>There is nothing here, or it is not yours to see.</p>
        <Link href="/">Go to your home page</Link>
      </div>
    </main>
  );
}
