import Link from 'next/link';
import type { ReactNode } from 'react';
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
  ],
  admin: [
    { href: '/admin', label: 'Overview' },
    { href: '/admin/watchlists', label: 'Watch-lists' },
    { href: '/admin/users', label: 'Users' },
    { href: '/admin/audit', label: 'Audit log' },
    { href: '/admin/settings', label: 'Search policy' },
    { href: '/admin/oversight', label: 'Oversight' },
  ],
};

export function AppShell({
  user,
  children,
}: {
  user: { displayName: string; email: string; role: Role };
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
          <form action={signOutNow}>
            <button className="button secondary" type="submit" style={{ marginTop: '0.5rem' }}>
              Sign out
            </button>
          </form>
        </div>
      </nav>
      <main className="shell-main">{children}</main>
    </div>
  );
}
