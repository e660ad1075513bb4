// `npm run api:client -- <create|revoke|rotate|list> …`: registers and manages /api/v1 clients with the
// same action specs and wrapper as the admin console (/admin/api-clients). The secret is printed once.
//
//   npm run api:client -- create --name NAME --team TEAM --watchlist NAME [--watchlist NAME …]
//                               [--rate 10/s] [--expires 90d|never] [--legal-basis TEXT] [--json]
//   npm run api:client -- rotate --client-id ID [--json]
//   npm run api:client -- revoke --client-id ID [--json]
//   npm run api:client -- list [--json]
//
// On the embedded store the server must be stopped first (PGlite serves one process), as for enrol.
import { userInfo } from 'node:os';
import { createActionDefiner } from '@/lib/server/actions/create-action-definer';
import { createApiClientSpec, revokeApiClientSpec, rotateApiClientSecretSpec } from '@/lib/server/actions/specs/api-clients';
import { describeClient, listApiClientRecords } from '@/lib/server/api/api-clients';
import { CLI_REQUEST_CONTEXT } from '@/lib/server/audit/request-context';
import type { Actor } from '@/lib/server/auth/current-actor';
import { getConfig } from '@/lib/server/config';
import { embeddedDatabaseDir, openDatabase } from '@/lib/server/db/database';
import { parseCommandLine } from './support/parse-args';

const USAGE = `usage:
  npm run api:client -- create --name NAME --team TEAM --watchlist NAME [--watchlist NAME …] [--rate 10/s] [--expires 90d] [--legal-basis TEXT] [--json]
  npm run api:client -- rotate --client-id ID [--json]
  npm run api:client -- revoke --client-id ID [--json]
  npm run api:client -- list [--json]`;

const commandLine = parseCommandLine(process.argv.slice(2), {
  name: 'api:client',
  usage: USAGE,
  positionals: { min: 1, max: 1 },
  options: {
    name: { type: 'string' },
    team: { type: 'string' },
    watchlist: { type: 'string', multiple: true },
    rate: { type: 'string' },
    expires: { type: 'string' },
    'legal-basis': { type: 'string' },
    'client-id': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const { values } = commandLine;
const command = commandLine.positionals[0]!;
if (!['create', 'rotate', 'revoke', 'list'].includes(command)) commandLine.fail(`unknown command ${JSON.stringify(command)}`);
if (command === 'rotate' || command === 'revoke') commandLine.required('client-id');
if (command === 'create') {
  commandLine.required('name');
  commandLine.required('team');
  if (!values.watchlist?.length) commandLine.fail('create needs at least one --watchlist');
}

// The command line acts as an administrator of this installation; its audit events say who ran it.
const username = userInfo().username;
const cliActor: Actor = { id: `cli:${username}`, email: `${username}@cli`, displayName: `Command line (${username})`, role: 'admin', teamId: null };

const config = getConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: embeddedDatabaseDir(config.dataDir) });
const defineAction = createActionDefiner({ getActor: async () => cliActor, getPrisma: async () => database.prisma, getRequestContext: async () => CLI_REQUEST_CONTEXT });
let exitCode = 0;
try {
  if (command === 'list') {
    const clients = (await listApiClientRecords(database.prisma)).map(describeClient);
    if (values.json) console.log(JSON.stringify(clients, null, 2));
    else if (clients.length === 0) console.log('No API clients yet.');
    else for (const client of clients) console.log(`${client.clientId}  ${client.standing.padEnd(7)}  ${client.rate.padEnd(8)}  ${client.name} (${client.team})`);
  } else {
    const result =
      command === 'create'
        ? await defineAction(createApiClientSpec)({
            name: values.name,
            team: values.team,
            watchlists: values.watchlist,
            ...(values.rate ? { rate: values.rate } : {}),
            ...(values.expires ? { expires: values.expires } : {}),
            ...(values['legal-basis'] ? { legalBasis: values['legal-basis'] } : {}),
          })
        : command === 'rotate'
          ? await defineAction(rotateApiClientSecretSpec)({ clientId: values['client-id'] })
          : await defineAction(revokeApiClientSpec)({ clientId: values['client-id'] });
    if (!result.ok) {
      exitCode = 1;
      if (values.json) console.log(JSON.stringify({ error: result.error }, null, 2));
      const fields = Object.entries(result.error.fieldErrors ?? {}).map(([field, messages]) => `  ${field}: ${messages.join(' ')}`);
      console.error([`api:client ${command}: ${result.error.message}`, ...fields].join('\n'));
    } else if (values.json) {
      console.log(JSON.stringify(result.data, null, 2));
    } else {
      const data = result.data as Record<string, unknown>;
      for (const [key, value] of Object.entries(data)) console.log(`${key.padEnd(13)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
      if ('clientSecret' in data) console.log('\nThe secret is shown only now and is stored only as a digest: keep it in the client’s secret store.');
    }
  }
} finally {
  await database.close();
}
process.exit(exitCode);
