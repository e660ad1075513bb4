import { z } from 'zod';
import { ROLES } from '@/lib/shared/roles';

export const createUserSchema = z.object({
  email: z.string().trim().toLowerCase().email('Enter an e-mail address.').max(254),
  displayName: z.string().trim().min(2, 'Enter a name.').max(120),
  role: z.enum(ROLES, 'Choose a role.'),
  password: z.string().min(12, 'Use at least 12 characters.').max(1024),
});
export type CreateUserInput = z.infer<typeof createUserSchema>;

export const setUserDisabledSchema = z.object({
  userId: z.string().uuid('Unknown user.'),
  disabled: z.boolean(),
});
