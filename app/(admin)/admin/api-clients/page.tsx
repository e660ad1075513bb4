import { ApiClientActions } from '@/components/admin/api-client-actions';
import { CreateApiClientForm } from '@/components/admin/create-api-client-form';
import { listApiClients } from '@/lib/server/dal/api-clients';
import { requirePermission } from '@/lib/server/dal/require-permission';
import { listTeamNames } from '@/lib/server/dal/users';
import { listWatchlists } from '@/lib/server/dal/watchlists';

export default async function ApiClientsPage() {
  await requirePermission('api_client:manage', '/admin/api-clients');
  const [clients, teamNames, watchlists] = await Promise.all([listApiClients(), listTeamNames(), listWatchlists()]);
  return (
    <>
      <h1>API clients</h1>
      <p className="muted">
        Partner systems (an officer’s mobile app, a gateway) search through <a href="/api/v1/docs">/api/v1</a> as a registered client of a team,
        only in the watch-lists allowed here, within their rate. Every call is audited with the client and the officer. Revoking a client or
        rotating its secret takes effect on its next call.
      </p>
      {clients.length === 0 ? (
        <p className="empty">No API clients yet. Register one below, or with <code>npm run api:client -- create --name NAME --team TEAM --watchlist NAME --json</code>.</p>
      ) : (
        <table>
          <caption className="visually-hidden">Registered API clients</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Client id</th>
              <th scope="col">Team</th>
              <th scope="col">Watch-lists</th>
              <th scope="col">Rate</th>
              <th scope="col">Expires</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {clients.map((client) => (
              <tr key={client.clientId}>
                <td>{client.name}</td>
                <td>
                  <code className="mono">{client.clientId}</code>
                </td>
                <td>{client.team}</td>
                <td>{client.watchlists.map((list) => list.name).join(', ')}</td>
                <td>{client.rate}</td>
                <td>{client.expiresAt ? new Date(client.expiresAt).toISOString().slice(0, 10) : 'never'}</td>
                <td>
                  <span className={`badge ${client.standing === 'active' ? 'ok' : 'danger'}`}>{client.standing}</span>
                </td>
                <td>{client.standing === 'revoked' ? <span className="muted">—</span> : <ApiClientActions clientId={client.clientId} name={client.name} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Register a client</h2>
      <div className="panel">
        {watchlists.length === 0 ? (
          <p className="empty">Create a watch-list first: a client must be allowed at least one.</p>
        ) : (
          <CreateApiClientForm teamNames={teamNames} watchlists={watchlists.map((list) => ({ id: list.id, name: list.name }))} />
        )}
      </div>
    </>
  );
}
