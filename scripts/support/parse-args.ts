// Command-line flags for every entry point in scripts/, parsed strictly by node:util's parseArgs: an
// unknown flag, a flag without its value or a stray argument is refused with one line saying what was
// wrong, then the usage, and exit code 2 — never silently ignored (a mistyped `--limt 10` would
// otherwise enrol a whole folder). `--help` prints the usage and exits 0.
import { parseArgs } from 'node:util';

type OptionsConfig = NonNullable<Parameters<typeof parseArgs>[0]>['options'] & {};
type Parsed<O extends OptionsConfig> = ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>>;

export const USAGE_EXIT_CODE = 2;

export type CommandSpec<O extends OptionsConfig> = {
  /** How the command is named in messages: `enrol`, `bench search`. */
  name: string;
  /** The whole usage text, printed after a refusal and for --help. */
  usage: string;
  options: O;
  /** How many positional arguments the command takes (none unless said). */
  positionals?: { min?: number; max?: number };
};

export type CommandLine<O extends OptionsConfig> = {
  values: Parsed<O>['values'];
  positionals: string[];
  /** Refuses the command line: the message, the usage, exit 2. */
  fail(message: string): never;
  /** A flag that must be given. */
  required(name: keyof O & string): string;
  /** A whole number within bounds, or `fallback` when the flag is absent. */
  integer(name: keyof O & string, bounds: { min?: number; max?: number; fallback: number }): number;
  integer(name: keyof O & string, bounds?: { min?: number; max?: number }): number | undefined;
};

export function parseCommandLine<const O extends OptionsConfig>(argv: readonly string[], spec: CommandSpec<O>): CommandLine<O> {
  const fail = (message: string): never => {
    console.error(`${spec.name}: ${message}`);
    console.error(spec.usage);
    process.exit(USAGE_EXIT_CODE);
  };
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(spec.usage);
    process.exit(0);
  }
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: [...argv], options: spec.options, strict: true, allowPositionals: true }) as Parsed<O>;
  } catch (error) {
    return fail(describeParseError(error));
  }
  const { min = 0, max = 0 } = spec.positionals ?? {};
  if (parsed.positionals.length > max) {
    fail(max === 0 ? `unexpected argument ${JSON.stringify(parsed.positionals[0])}` : `at most ${max} argument${max === 1 ? '' : 's'} expected, got ${parsed.positionals.length}`);
  }
  if (parsed.positionals.length < min) fail(`${min} argument${min === 1 ? '' : 's'} expected, got ${parsed.positionals.length}`);
  const values = parsed.values as Record<string, unknown>;

  const stringValue = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    values: parsed.values,
    positionals: parsed.positionals,
    fail,
    required(name) {
      const value = stringValue(name);
      if (value === undefined || value.trim() === '') return fail(`--${name} is required`);
      return value;
    },
    integer(name: string, bounds: { min?: number; max?: number; fallback?: number } = {}) {
      const text = stringValue(name);
      if (text === undefined) return bounds.fallback as number;
      const value = /^[+-]?\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
      const range = describeRange(bounds);
      if (!Number.isSafeInteger(value)) return fail(`--${name} must be a whole number${range}, not ${JSON.stringify(text)}`);
      if ((bounds.min !== undefined && value < bounds.min) || (bounds.max !== undefined && value > bounds.max)) {
        return fail(`--${name} must be a whole number${range}, not ${value}`);
      }
      return value;
    },
  } as CommandLine<O>;
}

function describeRange(bounds: { min?: number; max?: number }): string {
  if (bounds.min !== undefined && bounds.max !== undefined) return ` from ${bounds.min} to ${bounds.max}`;
  if (bounds.min !== undefined) return bounds.min === 0 ? ' (0 or more)' : ` of at least ${bounds.min}`;
  if (bounds.max !== undefined) return ` of at most ${bounds.max}`;
  return '';
}

// node:util's messages are long and aimed at programmers (they suggest `--` escapes); say the same in
// one line a user can act on.
function describeParseError(error: unknown): string {
  const { code, message } = error as { code?: string; message: string };
  const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(message)) return `${option ?? 'an option'} needs a value`;
      if (/ambiguous/.test(message)) return `${option ?? 'an option'} needs a value (write ${option ?? '--option'}=-… for one that starts with a dash)`;
      return `${option ?? 'an option'} takes no value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? ''}`.trim();
    default:
      throw error;
  }
}
