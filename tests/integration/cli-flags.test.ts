import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// Every command-line entry point in scripts/ parses its flags strictly: an unknown flag or a bad value
// is refused with one line naming it, then the usage, exit code 2, and nothing else happens (the data
// folder the command would have opened is not even created).
const run = promisify(execFile);
const root = process.cwd();
const scratch = mkdtempSync(join(tmpdir(), 'rfr-cli-flags-'));
const dataDir = join(scratch, 'never-created');
const tsx = ['--conditions=react-server', '--import', 'tsx'];

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function invoke(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...args], { cwd: root, env: { ...process.env, DATA_DIR: dataDir }, timeout: 90_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout: string; stderr: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Runs the cases a few at a time: each starts its own Node process with tsx. */
async function invokeAll(cases: readonly (readonly [string, readonly string[]])[]) {
  const results: { label: string; code: number; stdout: string; stderr: string }[] = [];
  for (let start = 0; start < cases.length; start += 4) {
    const batch = cases.slice(start, start + 4);
    results.push(...(await Promise.all(batch.map(async ([label, args]) => ({ label, ...(await invoke(args)) })))));
  }
  return results;
}

const UNKNOWN_FLAG_CASES = [
  ['enrol', [...tsx, 'scripts/enrol.ts', '--as', 'admin@example.test', '--watchlist', 'W', '--dir', scratch, '--bogus']],
  ['reconcile', [...tsx, 'scripts/reconcile.ts', '--bogus']],
  ['retention', [...tsx, 'scripts/retention.ts', '--bogus']],
  ['audit:verify', [...tsx, 'scripts/audit-verify.ts', '--bogus']],
  ['audit:anchor', [...tsx, 'scripts/audit-anchor.ts', '--bogus']],
  ['pack:verify', [...tsx, 'scripts/pack-verify.ts', 'pack.pdf', '--bogus']],
  ['db:migrate', [...tsx, 'scripts/migrate.ts', '--bogus']],
  ['prepare', [...tsx, 'scripts/prepare-store.ts', '--bogus']],
  ['calibrate', [...tsx, 'scripts/calibrate.ts', '--images', scratch, '--bogus']],
  ['demo:lfw', [...tsx, 'scripts/demo-lfw.ts', '--bogus']],
  ['eval identify', [...tsx, 'scripts/eval.ts', 'identify', '--gallery', 'g.csv', '--probes', 'p.csv', '--out', 'o.jsonl', '--bogus']],
  ['eval verify', [...tsx, 'scripts/eval.ts', 'verify', '--pairs', 'pairs.txt', '--images', scratch, '--bogus']],
  ['bench search', [...tsx, 'scripts/bench.ts', 'search', '--bogus']],
  ['bench enrol', [...tsx, 'scripts/bench.ts', 'enrol', '--bogus']],
  ['bench pipeline', [...tsx, 'scripts/bench.ts', 'pipeline', '--bogus']],
  ['bench page', [...tsx, 'scripts/bench.ts', 'page', '--bogus']],
  ['bench verify', [...tsx, 'scripts/bench.ts', 'verify', '--bogus']],
  ['bench scan-pool', [...tsx, 'scripts/bench.ts', 'scan-pool', '--bogus']],
  ['bench api', [...tsx, 'scripts/bench.ts', 'api', '--bogus']],
  ['bench clip', [...tsx, 'scripts/bench.ts', 'clip', '--bogus']],
  ['eval build-degraded', [...tsx, 'scripts/eval.ts', 'build-degraded', '--bogus']],
  ['eval degraded-study', [...tsx, 'scripts/eval.ts', 'degraded-study', '--bogus']],
  ['api:client', [...tsx, 'scripts/api-client.ts', 'list', '--bogus']],
] as const;

describe('command-line flags', () => {
  it('refuse an unknown flag in every entry point: one line naming it, the usage, exit 2, nothing done', async () => {
    const results = await invokeAll(UNKNOWN_FLAG_CASES);
    for (const result of results) {
      const [first, second] = result.stderr.trim().split('\n');
      expect({ label: result.label, code: result.code, first }).toEqual({ label: result.label, code: 2, first: `${result.label}: unknown option --bogus` });
      expect(second, result.label).toMatch(/^usage:/);
    }
    expect(existsSync(dataDir)).toBe(false);
    console.log(`[cli-flags] ${results.length} entry points refused --bogus with exit 2`);
  }, 600_000);

  it('refuse bad values, missing values, stray arguments and unknown subcommands the same way', async () => {
    const cases = [
      ['enrol: non-integer limit', [...tsx, 'scripts/enrol.ts', '--as', 'a@b.test', '--watchlist', 'W', '--dir', scratch, '--limit', 'ten'], 'enrol: --limit must be a whole number of at least 1, not "ten"'],
      ['enrol: missing value', [...tsx, 'scripts/enrol.ts', '--as', 'a@b.test', '--watchlist', 'W', '--dir', scratch, '--limit'], 'enrol: --limit needs a value'],
      ['enrol: no actor', [...tsx, 'scripts/enrol.ts', '--watchlist', 'W', '--dir', scratch], 'enrol: --as is required'],
      ['enrol: both sources', [...tsx, 'scripts/enrol.ts', '--as', 'a@b.test', '--watchlist', 'W', '--dir', scratch, '--csv', 'x.csv'], 'enrol: give one of --dir DIR or --csv FILE'],
      ['reconcile: value for a switch', [...tsx, 'scripts/reconcile.ts', '--json=yes'], 'reconcile: --json takes no value'],
      ['retention: stray argument', [...tsx, 'scripts/retention.ts', 'now'], 'retention: unexpected argument "now"'],
      ['pack:verify: no file', [...tsx, 'scripts/pack-verify.ts'], 'pack:verify: 1 argument expected, got 0'],
      ['eval: unknown subcommand', [...tsx, 'scripts/eval.ts', 'identfy'], 'eval: unknown command "identfy"'],
      ['eval identify: top 0', [...tsx, 'scripts/eval.ts', 'identify', '--gallery', 'g.csv', '--probes', 'p.csv', '--out', 'o.jsonl', '--top', '0'], 'eval identify: --top must be a whole number of at least 1, not 0'],
      ['bench: unknown kind', [...tsx, 'scripts/bench.ts', 'serch'], 'bench: unknown kind "serch"'],
      ['bench search: bad number', [...tsx, 'scripts/bench.ts', 'search', '--n', '1e5'], 'bench search: --n must be a whole number of at least 1, not "1e5"'],
      ['bench scan-pool: bad pool sizes', [...tsx, 'scripts/bench.ts', 'scan-pool', '--workers', '0,two'], 'bench scan-pool: --workers lists pool sizes (0 or more), such as 0,1,2, not "0,two"'],
      ['bench api: port out of range', [...tsx, 'scripts/bench.ts', 'api', '--port', '70000'], 'bench api: --port must be a whole number from 1 to 65535, not 70000'],
      ['verify-audit-export', ['scripts/verify-audit-export.mjs', 'export.json', '--bogus'], "verify-audit-export: Unknown option '--bogus'"],
    ] as const;
    const results = await invokeAll(cases.map(([label, args]) => [label, args] as const));
    for (const [index, result] of results.entries()) {
      expect({ label: result.label, code: result.code, first: result.stderr.trim().split('\n')[0] }).toEqual({ label: result.label, code: 2, first: cases[index]![2] });
    }
    expect(existsSync(dataDir)).toBe(false);
  }, 600_000);

  it('prints the usage for --help and exits 0', async () => {
    const result = await invoke([...tsx, 'scripts/enrol.ts', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage: npm run enrol -- --as ADMIN_EMAIL/);
  }, 120_000);
});
