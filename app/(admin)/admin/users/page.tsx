import { CreateUserForm } from '@/components/admin/create-user-form';
import { ResetPasswordButton } from '@/components/admin/reset-password-button';
import { ToggleUserButton } from '@/components/admin/toggle-user-button';
import { UserRoleForm } from '@/components/admin/user-role-form';
import { UserTeamForm } from '@/components/admin/user-team-form';
import { requirePermission } from '@/lib/server/dal/require-permission';
import { listTeamNames, listUsers } from '@/lib/server/dal/users';
import { ROLE_LABELS } from '@/lib/shared/roles';

export default async function UsersPage() {
  const actor = await requirePermission('user:manage', '/admin/users');
  const [users, teamNames] = await Promise.all([listUsers(), listTeamNames()]);
  return (
    <>
      <h1>Users</h1>
      <p className="muted">
        Disabling someone, giving them another role or resetting their password signs them out everywhere at once. You cannot change your own
        role or disable yourself, and the last active administrator cannot be disabled or given another role.
      </p>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>E-mail</th>
            <th>Role</th>
            <th>Team</th>
            <th>Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {users.map((user) => {
            const isSelf = user.id === actor.id;
            return (
              <tr key={user.id}>
                <td>{user.displayName}</td>
                <td>{user.email}</td>
                <td>{isSelf ? ROLE_LABELS[user.role] : <UserRoleForm userId={user.id} email={user.email} role={user.role} />}</td>
                <td>{user.role === 'admin' ? <span className="muted">—</span> : <UserTeamForm userId={user.id} email={user.email} teamName={user.teamName} />}</td>
                <td>
                  <span className={`badge ${user.disabled ? 'danger' : 'ok'}`}>{user.disabled ? 'disabled' : 'active'}</span>
                  {user.mustChangePassword ? <span className="badge warn">temporary password</span> : null}
                </td>
                <td>
                  {isSelf ? (
                    <span className="muted">you</span>
                  ) : (
                    <div className="row">
                      <ToggleUserButton userId={user.id} email={user.email} disabled={user.disabled} />
                      <ResetPasswordButton userId={user.id} email={user.email} />
                    </div>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h2>Add a user</h2>
      <div className="panel">
        <CreateUserForm teamNames={teamNames} />
      </div>
    </>
  );
}
