import type { Role } from './roles';

// The permission matrix. Roles are deliberately disjoint: the person who searches is not the person
// who approves disclosure, and administrators manage galleries and accounts but never see casework.
// Object-level checks (which case, which watch-list) come on top of these, in the action wrapper.
export const PERMISSIONS = [
  'case:open',
  'case:read',
  'case:close',
  'probe:upload',
  'search:run',
  'search:review',
  'adjudication:record',
  'disclosure:request',
  'disclosure:decide',
  'disclosure:read',
  'watchlist:manage',
  'watchlist:read',
  'user:manage',
  'audit:read',
  'settings:manage',
  // Aggregate figures (counts and medians per week), never case content: see lib/server/dal/oversight.ts.
  'oversight:read',
  // Partner systems' access to /api/v1: registering, rotating and revoking API clients.
  'api_client:manage',
  // One's own account only (its password, its sign-in notice): every role has it.
  'account:own',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const MATRIX: Record<Role, readonly Permission[]> = {
  investigator: [
    'case:open',
    'case:read',
    'case:close',
    'probe:upload',
    'search:run',
    'search:review',
    'adjudication:record',
    'disclosure:request',
    'watchlist:read',
    'account:own',
  ],
  supervisor: ['disclosure:decide', 'disclosure:read', 'audit:read', 'oversight:read', 'account:own'],
  admin: ['watchlist:manage', 'watchlist:read', 'user:manage', 'api_client:manage', 'audit:read', 'settings:manage', 'oversight:read', 'account:own'],
};

export function hasPermission(role: Role, permission: Permission): boolean {
  return MATRIX[role].includes(permission);
}

export function permissionsOf(role: Role): readonly Permission[] {
  return MATRIX[role];
}
