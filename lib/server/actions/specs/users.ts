import 'server-only';
import { authorizeCreation, specifyAction } from '@/lib/server/actions/create-action-definer';
import { hashPassword } from '@/lib/server/auth/passwords';
import { endUserSessions } from '@/lib/server/auth/sessions';
import { generateTemporaryPassword } from '@/lib/server/auth/temporary-password';
import { countOtherActiveAdministrators, findOrCreateTeam, lockAdministrators } from '@/lib/server/dal/users';
import { AppError } from '@/lib/shared/errors';
import {
  createUserSchema,
  resetUserPasswordSchema,
  setUserDisabledSchema,
  setUserRoleSchema,
  setUserTeamSchema,
} from '@/lib/shared/schemas/user';

// Account changes. Whatever ends someone's access or changes what it covers (disabling, a new role,
// a reset password) ends every session they have open in the same transaction, so it takes effect
// at their next request. Every change is audited with the value it replaced.

/** A temporary password and its hash, made outside the write transaction (hashing is slow). */
async function prepareTemporaryPassword(): Promise<{ temporaryPassword: string; passwordHash: string }> {
  const temporaryPassword = generateTemporaryPassword();
  return { temporaryPassword, passwordHash: await hashPassword(temporaryPassword) };
}

export const createUserSpec = specifyAction({
  name: 'user.create',
  permission: 'user:manage',
  input: createUserSchema,
  authorize: authorizeCreation,
  prepare: prepareTemporaryPassword,
  async run({ input, tx, prepared }) {
    const { teamName, ...profile } = input;
    const team = profile.role === 'admin' ? null : await findOrCreateTeam(tx, teamName);
    const created = await tx.user.create({
      data: { ...profile, teamId: team?.id ?? null, passwordHash: prepared.passwordHash, mustChangePassword: true },
      select: { id: true },
    });
    return {
      // Shown once to the administrator; only its hash is kept, and it opens nothing but the page
      // where the new user replaces it.
      data: { userId: created.id, email: profile.email, temporaryPassword: prepared.temporaryPassword },
      target: { type: 'user', id: created.id },
      auditPayload: { email: profile.email, role: profile.role, team: team ? teamName : null, isNewTeam: team?.isNew ?? false, mustChangePassword: true },
    };
  },
});

export const setUserDisabledSpec = specifyAction({
  name: 'user.set_disabled',
  permission: 'user:manage',
  input: setUserDisabledSchema,
  async authorize({ actor, input, tx }) {
    // An administrator who disables themself could lock every administrator out.
    if (input.userId === actor.id) throw new AppError('FORBIDDEN', 'You cannot disable your own account.');
    await lockAdministrators(tx);
    const user = await tx.user.findUnique({ where: { id: input.userId, apiClient: { is: null } }, select: { role: true, disabled: true } });
    if (!user) throw new AppError('NOT_FOUND', 'No such user.');
    if (input.disabled && user.role === 'admin' && !user.disabled && (await countOtherActiveAdministrators(tx, input.userId)) === 0) {
      throw new AppError('FORBIDDEN', 'This is the last active administrator: it cannot be disabled.');
    }
    return { previous: user.disabled };
  },
  async run({ input, tx, authorized: { previous } }) {
    await tx.user.update({ where: { id: input.userId }, data: { disabled: input.disabled } });
    const sessionsEnded = input.disabled ? await endUserSessions(tx, input.userId, 'disabled') : 0;
    return {
      data: { userId: input.userId, disabled: input.disabled },
      target: { type: 'user', id: input.userId },
      auditPayload: { previous, next: input.disabled, disabled: input.disabled, sessionsEnded },
    };
  },
});

export const setUserTeamSpec = specifyAction({
  name: 'user.set_team',
  permission: 'user:manage',
  input: setUserTeamSchema,
  async authorize({ input, tx }) {
    const user = await tx.user.findUnique({ where: { id: input.userId, apiClient: { is: null } }, select: { role: true, team: { select: { name: true } } } });
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

export const setUserRoleSpec = specifyAction({
  name: 'user.set_role',
  permission: 'user:manage',
  input: setUserRoleSchema,
  async authorize({ actor, input, tx }) {
    // Nobody raises or lowers their own powers: that takes a second administrator.
    if (input.userId === actor.id) throw new AppError('FORBIDDEN', 'You cannot change your own role.');
    await lockAdministrators(tx);
    const user = await tx.user.findUnique({ where: { id: input.userId, apiClient: { is: null } }, select: { role: true, disabled: true, team: { select: { name: true } } } });
    if (!user) throw new AppError('NOT_FOUND', 'No such user.');
    if (user.role === input.role) throw new AppError('VALIDATION', 'They already have this role.', { role: ['They already have this role.'] });
    if (user.role === 'admin' && !user.disabled && (await countOtherActiveAdministrators(tx, input.userId)) === 0) {
      throw new AppError('FORBIDDEN', 'This is the last active administrator: it cannot be given another role.');
    }
    const teamName = input.role === 'admin' ? null : input.teamName || user.team?.name || null;
    if (input.role !== 'admin' && !teamName) {
      throw new AppError('VALIDATION', 'Investigators and supervisors work in a team: name it.', { teamName: ['Name their team.'] });
    }
    return { previous: { role: user.role, team: user.team?.name ?? null }, teamName };
  },
  async run({ input, tx, authorized: { previous, teamName } }) {
    const team = teamName ? await findOrCreateTeam(tx, teamName) : null;
    await tx.user.update({ where: { id: input.userId }, data: { role: input.role, teamId: team?.id ?? null } });
    // What a session may do follows from the role: its sessions end, and it signs in again as what it now is.
    const sessionsEnded = await endUserSessions(tx, input.userId, 'role_changed');
    return {
      data: { userId: input.userId, role: input.role },
      target: { type: 'user', id: input.userId },
      auditPayload: { previous, next: { role: input.role, team: teamName }, isNewTeam: team?.isNew ?? false, sessionsEnded },
    };
  },
});

export const resetUserPasswordSpec = specifyAction({
  name: 'user.reset_password',
  permission: 'user:manage',
  input: resetUserPasswordSchema,
  async authorize({ actor, input, tx }) {
    // Their own password an administrator changes like everyone else, knowing the current one.
    if (input.userId === actor.id) throw new AppError('FORBIDDEN', 'Change your own password from your account page.');
    const user = await tx.user.findUnique({ where: { id: input.userId, apiClient: { is: null } }, select: { email: true, mustChangePassword: true, passwordChangedAt: true } });
    if (!user) throw new AppError('NOT_FOUND', 'No such user.');
    return user;
  },
  prepare: prepareTemporaryPassword,
  async run({ input, tx, authorized, prepared }) {
    await tx.user.update({ where: { id: input.userId }, data: { passwordHash: prepared.passwordHash, mustChangePassword: true } });
    const sessionsEnded = await endUserSessions(tx, input.userId, 'password_reset');
    return {
      data: { userId: input.userId, email: authorized.email, temporaryPassword: prepared.temporaryPassword },
      target: { type: 'user', id: input.userId },
      auditPayload: {
        previous: { mustChangePassword: authorized.mustChangePassword, passwordChangedAt: authorized.passwordChangedAt?.toISOString() ?? null },
        next: { mustChangePassword: true },
        sessionsEnded,
      },
    };
  },
});
