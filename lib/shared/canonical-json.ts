// A deterministic JSON encoding (sorted keys, no insignificant whitespace) so that the same audit
// event always hashes to the same value, whichever process or database engine wrote it.
export type Canonicalizable =
  | null
  | boolean
  | number
  | string
  | bigint
  | Date
  | readonly Canonicalizable[]
  | { readonly [key: string]: Canonicalizable | undefined };

export function canonicalJson(value: unknown): string {
  return encode(value, '$');
}

function encode(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path}: non-finite number cannot be canonicalised`);
      return JSON.stringify(Object.is(value, -0) ? 0 : value);
    case 'string':
      return JSON.stringify(value);
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object':
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      if (Array.isArray(value)) return `[${value.map((item, index) => encode(item, `${path}[${index}]`)).join(',')}]`;
      return `{${Object.keys(value)
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${encode((value as Record<string, unknown>)[key], `${path}.${key}`)}`)
        .join(',')}}`;
    default:
      throw new TypeError(`${path}: ${typeof value} cannot be canonicalised`);
  }
}
