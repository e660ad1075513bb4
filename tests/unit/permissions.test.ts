import { describe, expect, it } from 'vitest';
import { hasPermission, PERMISSIONS, permissionsOf } from '@/lib/shared/permissions';
import { ROLES } from '@/lib/shared/roles';

describe('permission matrix', () => {
  it('grants every permission to at least one role', () => {
    for (const permission of PERMISSIONS) {
      expect(ROLES.some((role) => hasPermission(role, permission)), permission).toBe(true);
    }
  });

  it('keeps searching and disclosure decisions in different hands', () => {
    const searchers = ROLES.filter((role) => hasPermission(role, 'search:run'));
    const deciders = ROLES.filter((role) => hasPermission(role, 'disclosure:decide'));
    expect(searchers).toEqual(['investigator']);
    expect(deciders).toEqual(['supervisor']);
  });

  it('does not let administrators read casework or search', () => {
    for (const permission of ['case:read', 'search:run', 'search:review', 'adjudication:record'] as const) {
      expect(hasPermission('admin', permission), permission).toBe(false);
    }
  });

  it('does not let investigators or supervisors manage users or watch-lists', () => {
    for (const role of ['investigator', 'supervisor'] as const) {
      expect(hasPermission(role, 'user:manage')).toBe(false);
      expect(hasPermission(role, 'watchlist:manage')).toBe(false);
    }
  });

  it('gives oversight figures to supervisors and administrators, not to investigators', () => {
    // Those who search are not those who oversee the searching.
    expect(ROLES.filter((role) => hasPermission(role, 'oversight:read'))).toEqual(['supervisor', 'admin']);
  });

  it('lets every role manage its own account (its password), and only its own', () => {
    for (const role of ROLES) expect(hasPermission(role, 'account:own'), role).toBe(true);
  });

  it('lists only known permissions for each role', () => {
    for (const role of ROLES) {
      for (const permission of permissionsOf(role)) expect(PERMISSIONS).toContain(permission);
    }
  });
});
