export const ROLES = ['investigator', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  investigator: 'Investigator',
  supervisor: 'Supervisor',
  admin: 'Administrator',
};

/** Where each role lands after signing in. */
export const ROLE_HOME: Record<Role, string> = {
  investigator: '/cases',
  supervisor: '/disclosures',
  admin: '/admin',
};
