// `npm run demo:lfw [-- --people N] [--as ADMIN_EMAIL]` (opt-in): enrols a demo watch-list from the LFW research set at
// ../shared/data/lfw when it is there: the first image of each of N people who have at least two, so
// their other images can be tried as probes. LFW photographs are never copied into the project.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getConfig } from '@/lib/server/config';
import { parseCommandLine } from './support/parse-args';

const lfw = resolve(process.cwd(), '../shared/data/lfw');
const commandLine = parseCommandLine(process.argv.slice(2), {
  name: 'demo:lfw',
  usage: 'usage: npm run demo:lfw [-- --people N] [--as ADMIN_EMAIL]   (the enrolment is attributed to --as, by default the demo administrator)',
  options: { people: { type: 'string' }, as: { type: 'string' } },
});
const people = commandLine.integer('people', { min: 1, fallback: 300 });
// The demo users are made by prepare-store below on the embedded store; elsewhere name a real administrator.
const actorEmail = commandLine.values.as ?? 'admin@demo.local';

if (!existsSync(join(lfw, 'lfw-names.txt'))) {
  console.error(
    `LFW was not found at ${lfw}, so there is no demo watch-list to enrol.\n` +
      'Enrol a folder of your own instead (one sub-folder of images per subject):\n' +
      '  npm run enrol -- --as ADMIN_EMAIL --watchlist "My list" --dir /path/to/folder --create \\\n' +
      '      --purpose "What the list is for" --authority "The power it relies on" --retention-days 365\n' +
      'or sign in as the administrator and use Watch-lists → (list) → Enrol images.',
  );
  process.exit(1);
}

const chosen = readFileSync(join(lfw, 'lfw-names.txt'), 'utf8')
  .split('\n')
  .map((line) => line.trim().split(/\s+/))
  .filter((fields): fields is [string, string] => fields.length === 2 && Number(fields[1]) >= 2)
  .slice(0, people);
const demoDir = join(getConfig().dataDir, 'demo');
mkdirSync(demoDir, { recursive: true });
const image = (name: string, index: number) => join(lfw, 'images', name, `${name}_${String(index).padStart(4, '0')}.jpg`);
writeFileSync(join(demoDir, 'lfw-gallery.csv'), chosen.map(([name]) => `"${image(name, 1)}",${name}`).join('\n') + '\n');
writeFileSync(join(demoDir, 'lfw-probes.csv'), chosen.map(([name]) => `"${image(name, 2)}",${name}`).join('\n') + '\n');

// A fresh clone has no database yet: prepare it (and the demo users, printed once) first.
const nodeArgs = ['--conditions=react-server', '--import', 'tsx'];
const prepared = spawnSync(process.execPath, [...nodeArgs, 'scripts/prepare-store.ts'], { stdio: 'inherit' });
if (prepared.status !== 0) process.exit(prepared.status ?? 1);

const result = spawnSync(
  process.execPath,
  [
    ...nodeArgs,
    'scripts/enrol.ts',
    '--as',
    actorEmail,
    '--watchlist',
    'LFW demo',
    '--csv',
    join(demoDir, 'lfw-gallery.csv'),
    '--create',
    '--purpose',
    'Demonstration only: public research photographs (Labeled Faces in the Wild), not real suspects.',
    '--authority',
    'None: demonstration data',
    '--retention-days',
    '30',
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
if (result.status === 0) {
  console.error(`\nTry a probe from ${join(demoDir, 'lfw-probes.csv')}, e.g. ${image(chosen[0]![0], 2)}`);
}
process.exit(result.status ?? 1);
