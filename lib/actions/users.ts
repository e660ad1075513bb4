'use server';

import { revalidatePath } from 'next/cache';
import { authorizeCreation } from '@/lib/server/actions/create-action-definer';
import { defineAction } from '@/lib/server/actions/define-action';
import { hashPassword } from '@/lib/server/auth/passwords';
import { AppError } from '@/lib/shared/errors';
import { findOrCreateTeam } from '@/lib/server/dal/users';
import { createUserSchema, setUserDisabledSchema, setUserTeamSchema } from '@/lib/shared/schemas/user';

const createUserAction = defineAction({
  name: 'user.create',
  permission: 'user:manage',
  input: createUserSchema,
  authorize: authorizeCreation,
  async run({ input, tx }) {
    const { password, teamName, ...profile } = input;
    const team = profile.role === 'admin' ? null : await findOrCreateTeam(tx, teamName);
    const created = await tx.user.create({
      data: { ...profile, teamId: team?.id ?? null, passwordHash: await hashPassword(password) },
      select: { id: true },
    });
    return {
      data: { userId: created.id },
      target: { type: 'user', id: created.id },
      auditPayload: { email: profile.email, role: profile.role, team: team ? teamName : null, isNewTeam: team?.isNew ?? false },
    };
  },
});

export async function createUser(input: unknown) {
  const result = await createUserAction(input);
  if (result.ok) revalidatePath('/admin/users');
  return result;
}

const setUserDisabledAction = defineAction({
  name: 'user.set_disabled',
  permission: 'user:manage',
  input: setUserDisabledSchema,
  async authorize({ actor, input, tx }) {
    // An administrator who disables themself could lock every administrator out.
    if (input.userId === actor.id) throw new AppError('FORBIDDEN', 'You cannot disable your own account.');
    const exists = await tx.user.count({ where: { id: input.userId } });
    if (!exists) throw new AppError('NOT_FOUND', 'No such user.');
  },
  async run({ input, tx }) {
    await tx.user.update({ where: { id: input.userId }, data: { disabled: input.disabled } });
    return {
      data: { userId: input.userId, disabled: input.disabled },
      target: { type: 'user', id: input.userId },
      auditPayload: { disabled: input.disabled },
    };
  },
});

export async function setUserDisabled(input: unknown) {
  const result = await setUserDisabledAction(input);
  if (result.ok) revalidatePath('/admin/users');
  return result;
}

const setUserTeamAction = defineAction({
  name: 'user.set_team',
  permission: 'user:manage',
  input: setUserTeamSchema,
  async authorize({ input, tx }) {
    const user = await tx.user.findUnique({ where: { id: input.userId }, select: { role: true, team: { select: { name: true } } } });
    if (!user) throw new AppError('NOT_FOUND', 'No such user.');
    if (user.role === 'admin') throw new AppError('VALIDATION', 'Administrators see no casework and belong to no team.');
    return { previous: user.team?.name ?? null };
  },
  async run({ input, tx, authorized: { previous } }) {
    const team = await findOrCreateTeam(tx, input.teamName);
    // Moving someone changes which cases they see at once: visibility is read from the team on every request.
    await tx.user.update({ where: { id: input.userId }, data: { teamId: team.id } });
    return {
      data: { userId: input.userId },
      target: { type: 'user', id: input.userId },
      auditPayload: { previous, next: input.teamName, isNewTeam: team.isNew },
    };
  },
});

export async function setUserTeam(input: unknown) {
  const result = await setUserTeamAction(input);
  if (result.ok) revalidatePath('/admin/users');
  return result;
}
