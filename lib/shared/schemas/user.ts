import { z } from 'zod';
import { ROLES } from '@/lib/shared/roles';

const teamName = z.string().trim().max(120, 'At most 120 characters.');

/** The one rule every password obeys: the demo users' (RFR_DEMO_PASSWORD) included. */
export const passwordSchema = z.string().min(12, 'Use at least 12 characters.').max(1024, 'At most 1024 characters.');

export const createUserSchema = z
  .object({
    email: z.string().trim().toLowerCase().email('Enter an e-mail address.').max(254),
    displayName: z.string().trim().min(2, 'Enter a name.').max(120),
    role: z.enum(ROLES, 'Choose a role.'),
    /** An existing team's name, or a new one to create. Administrators belong to none. */
    teamName: teamName.default(''),
    password: passwordSchema,
  })
  .superRefine((input, context) => {
    if (input.role !== 'admin' && input.teamName.length < 2) {
      context.addIssue({ code: 'custom', path: ['teamName'], message: 'Investigators and supervisors work in a team: name it.' });
    }
  });
export type CreateUserInput = z.infer<typeof createUserSchema>;

export const setUserDisabledSchema = z.object({
  userId: z.string().uuid('Unknown user.'),
  disabled: z.boolean(),
});

export const setUserTeamSchema = z.object({
  userId: z.string().uuid('Unknown user.'),
  teamName: teamName.min(2, 'Name the team.'),
});
