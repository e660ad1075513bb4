// Minimal `--flag value` / `--switch` parsing for the eval and bench entry points; no dependency needed.
export type ParsedArgs = { flags: Map<string, string>; switches: Set<string>; positional: string[] };

export function parseArgs(argv: readonly string[], switchNames: readonly string[]): ParsedArgs {
  const flags = new Map<string, string>();
  const switches = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (switchNames.includes(name)) switches.add(name);
    else if (inline !== undefined) flags.set(name, inline);
    else {
      const value = argv[i + 1];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      flags.set(name, value);
      i++;
    }
  }
  return { flags, switches, positional };
}

export function requireFlag(args: ParsedArgs, name: string): string {
  const value = args.flags.get(name);
  if (!value) throw new Error(`--${name} is required`);
  return value;
}

export function intFlag(args: ParsedArgs, name: string, fallback: number): number {
  const value = args.flags.get(name);
  if (value === undefined) return fallback;
  const n = Number.parseInt(value, 10);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
}
