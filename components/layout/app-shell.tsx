import Link from 'next/link';
import type { ReactNode } from 'react';
import { SignInNotice } from '@/components/account/sign-in-notice';
import { signOutNow } from '@/lib/actions/auth';
import { ROLE_LABELS, type Role } from '@/lib/shared/roles';

const NAVIGATION: Record<Role, { href: string; label: string }[]> = {
  investigator: [
    { href: '/cases', label: 'Cases' },
    { href: '/reviews', label: 'Second review' },
  ],
  supervisor: [
    { href: '/disclosures', label: 'Disclosure queue' },
    { href: '/oversight', label: 'Oversight' },
    { href: '/audit', label: 'Team audit log' },
  ],
  admin: [
    { href: '/admin', label: 'Overview' },
    { href: '/admin/watchlists', label: 'Watch-lists' },
    { href: '/admin/users', label: 'Users' },
    { href: '/admin/api-clients', label: 'API clients' },
    { href: '/admin/audit', label: 'Audit log' },
    { href: '/admin/settings', label: 'Search policy' },
    { href: '/admin/models', label: 'Model registry' },
    { href: '/admin/oversight', label: 'Oversight' },
  ],
};

export function AppShell({
  user,
  notice = null,
  children,
}: {
  user: { displayName: string; email: string; role: Role };
  /** Sign-ins to this account refused since its previous one, shown until dismissed. */
  notice?: { failedSignIns: number; lastFailedAt: Date | null } | null;
  children: ReactNode;
}) {
  return (
    <div className="shell">
      <nav className="shell-nav" aria-label="Main">
        <div className="brand">
          RFR Workstation
          <small>{ROLE_LABELS[user.role]}</small>
        </div>
        {NAVIGATION[user.role].map((item) => (
          <Link key={item.href} href={item.href}>
            {item.label}
          </Link>
        ))}
        <div className="who">
          <div data-testid="signed-in-as">{user.displayName}</div>
          <div>{user.email}</div>
          <Link href="/account/password">Change password</Link>
          <form action={signOutNow}>
            <button className="button secondary" type="submit" style={{ marginTop: '0.5rem' }}>
              Sign out
            </button>
          </form>
        </div>
      </nav>
      <main className="shell-main">
        {notice ? <SignInNotice failedSignIns={notice.failedSignIns} lastFailedAt={notice.lastFailedAt?.toISOString() ?? null} /> : null}
        {children}
      </main>
    </div>
  );
}
