import { CreateUserForm } from '@/components/admin/create-user-form';
import { ToggleUserButton } from '@/components/admin/toggle-user-button';
import { requirePermission } from '@/lib/server/dal/require-permission';
import { listTeamNames, listUsers } from '@/lib/server/dal/users';
import { UserTeamForm } from '@/components/admin/user-team-form';
import { ROLE_LABELS } from '@/lib/shared/roles';

export default async function UsersPage() {
  const actor = await requirePermission('user:manage', '/admin/users');
  const [users, teamNames] = await Promise.all([listUsers(), listTeamNames()]);
  return (
    <>
      <h1>Users</h1>
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
          {users.map((user) => (
            <tr key={user.id}>
              <td>{user.displayName}</td>
              <td>{user.email}</td>
              <td>{ROLE_LABELS[user.role]}</td>
              <td>{user.role === 'admin' ? <span className="muted">—</span> : <UserTeamForm userId={user.id} email={user.email} teamName={user.teamName} />}</td>
              <td>
                <span className={`badge ${user.disabled ? 'danger' : 'ok'}`}>{user.disabled ? 'disabled' : 'active'}</span>
              </td>
              <td>
                {user.id === actor.id ? (
                  <span className="muted">you</span>
                ) : (
                  <ToggleUserButton userId={user.id} email={user.email} disabled={user.disabled} />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Add a user</h2>
      <div className="panel">
        <CreateUserForm teamNames={teamNames} />
      </div>
    </>
  );
}
