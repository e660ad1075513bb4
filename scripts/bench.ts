// `npm run bench -- <kind> [options]`: each kind lives in scripts/bench/<kind>.ts and exports `run(argv)`.
export {};

const [kind, ...rest] = process.argv.slice(2);
const kinds = ['search', 'scan-pool', 'pipeline', 'page', 'clip', 'enrol', 'verify', 'api'] as const;

const usage = `usage: npm run bench -- <${kinds.join('|')}> [options]   (npm run bench -- <kind> --help for its options)`;
if (kind === '--help' || kind === '-h') {
  console.log(usage);
  process.exit(0);
}
if (!kind || !(kinds as readonly string[]).includes(kind)) {
  // Each kind parses its own flags strictly (scripts/support/parse-args.ts): exit 2 on a bad command line.
  console.error(kind ? `bench: unknown kind ${JSON.stringify(kind)}` : 'bench: name a kind');
  console.error(usage);
  process.exit(2);
}
const mod = (await import(`./bench/${kind}.ts`)) as { run: (argv: string[]) => Promise<void> };
await mod.run(rest);
