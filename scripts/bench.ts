// `npm run bench -- <kind> [options]`: each kind lives in scripts/bench/<kind>.ts and exports `run(argv)`.
export {};

const [kind, ...rest] = process.argv.slice(2);
const kinds = ['search', 'scan-pool', 'pipeline', 'enrol', 'verify'] as const;

if (!kind || !(kinds as readonly string[]).includes(kind)) {
  console.error(`usage: npm run bench -- <${kinds.join('|')}> [options]`);
  process.exit(2);
}
const mod = (await import(`./bench/${kind}.ts`)) as { run: (argv: string[]) => Promise<void> };
await mod.run(rest);
