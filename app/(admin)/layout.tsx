import type { ReactNode } from 'react';
import { AppShell } from '@/components/layout/app-shell';
import { findSignInNotice } from '@/lib/server/dal/account';
import { requirePermissionForLayout } from '@/lib/server/dal/require-permission';

// Pages below check (and audit) their own permission: a layout is not re-run on every navigation.
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const actor = await requirePermissionForLayout('user:manage');
  return (
    <AppShell user={actor} notice={await findSignInNotice()}>
      {children}
    </AppShell>
  );
}
