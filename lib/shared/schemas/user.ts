import { z } from 'zod';
import { ROLES } from '@/lib/shared/roles';

const teamName = z.string().trim().max(120, 'At most 120 characters.');
const userId = z.string().uuid('Unknown user.');

/** The one rule every chosen password obeys, the demo users' (RFR_DEMO_PASSWORD) included; a temporary one is generated, and longer. */
export const MIN_PASSWORD_LENGTH = 12;
export const passwordSchema = z.string().min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters.`).max(1024, 'At most 1024 characters.');

/** No password here: the server makes a temporary one, shown once, that must be replaced at first sign-in. */
export const createUserSchema = z
  .object({
    email: z.string().trim().toLowerCase().email('Enter an e-mail address.').max(254),
    displayName: z.string().trim().min(2, 'Enter a name.').max(120),
    role: z.enum(ROLES, 'Choose a role.'),
    /** An existing team's name, or a new one to create. Administrators belong to none. */
    teamName: teamName.default(''),
  })
  .superRefine((input, context) => {
    if (input.role !== 'admin' && input.teamName.length < 2) {
      context.addIssue({ code: 'custom', path: ['teamName'], message: 'Investigators and supervisors work in a team: name it.' });
    }
  });
export type CreateUserInput = z.infer<typeof createUserSchema>;

export const setUserDisabledSchema = z.object({
  userId,
  disabled: z.boolean(),
});

export const setUserTeamSchema = z.object({
  userId,
  teamName: teamName.min(2, 'Name the team.'),
});

export const setUserRoleSchema = z.object({
  userId,
  role: z.enum(ROLES, 'Choose a role.'),
  /** Needed when someone without a team (an administrator) takes a team role; otherwise they keep theirs. */
  teamName: teamName.default(''),
});

export const resetUserPasswordSchema = z.object({ userId });

export const changeOwnPasswordSchema = z
  .object({
    currentPassword: z.string().min(1, 'Enter your current password.').max(1024),
    newPassword: passwordSchema,
    confirmation: z.string().max(1024),
  })
  .superRefine((input, context) => {
    if (input.confirmation !== input.newPassword) {
      context.addIssue({ code: 'custom', path: ['confirmation'], message: 'The two new passwords differ.' });
    }
    if (input.newPassword === input.currentPassword) {
      context.addIssue({ code: 'custom', path: ['newPassword'], message: 'Choose a password different from the current one.' });
    }
  });

export const dismissSignInNoticeSchema = z.object({});
