import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDefinedAction } from '@/lib/server/actions/create-action-definer';

// The house rules of ../shared/STYLE.md that a reviewer would otherwise have to remember, checked on
// every run: which layers may import which (through '@/…' and relative specifiers alike), server code
// marked server-only, the face pipeline free of any runtime, every server action built by the action
// definer, no barrel files.
const root = process.cwd();

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'generated' || name === 'node_modules') return [];
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function specifiersIn(text: string): string[] {
  const patterns = [
    /(?:^|\n)\s*(?:import|export)[^'";]*?from\s+['"]([^'"]+)['"]/g, // import x from '…', export … from '…'
    /(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g, // import '…' (side effects only)
    /import\(\s*['"]([^'"]+)['"]\s*\)/g, // import('…')
  ];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]!));
}

/**
 * Where a specifier leads inside the repository ('lib/server/db/database', without extension), or null
 * for a package ('next/cache', 'node:fs'). `@/x` and `./x`, `../x` are the same kind of import: a
 * relative path cannot step round a rule that the alias would be held to.
 */
function resolveSpecifier(fromFile: string, specifier: string): string | null {
  if (specifier.startsWith('@/')) return normalize(specifier.slice(2));
  if (specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../')) return normalize(join(dirname(fromFile), specifier));
  return null;
}

const isUnder = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

type ResolvedImport = { file: string; specifier: string; target: string | null };

function importsOf(dir: string): ResolvedImport[] {
  return sourceFiles(dir).flatMap((file) =>
    specifiersIn(readFileSync(join(root, file), 'utf8')).map((specifier) => ({ file, specifier, target: resolveSpecifier(file, specifier) })),
  );
}

const describeImport = ({ file, specifier, target }: ResolvedImport) => `${relative(root, join(root, file))} → ${specifier}${target && target !== specifier ? ` (${target})` : ''}`;

/** The imports of `dir` into the repository that lead outside the folders it may reach. */
function layerViolations(dir: string, mayReach: readonly string[], options: { except?: string } = {}): string[] {
  return importsOf(dir)
    .filter(({ file }) => !(options.except && isUnder(file, options.except)))
    .filter(({ target }) => target !== null && !mayReach.some((allowed) => isUnder(target, allowed)))
    .map(describeImport);
}

function packageViolations(dir: string, isForbidden: (specifier: string) => boolean): string[] {
  return importsOf(dir)
    .filter(({ target, specifier }) => target === null && isForbidden(specifier))
    .map(describeImport);
}

// HTTP routes are contracts of their own (a crop streamed with its headers, a health probe, a CSV
// export): besides the DAL they may use these server modules, and nothing else of lib/server.
const API_ROUTE_SERVER_MODULES = [
  'lib/server/http', // streaming responses: crops, disclosure packs
  'lib/server/health', // the health probe
  'lib/server/auth/current-actor', // who is asking, for an export's own permission check
  'lib/server/api', // the /api/v1 contract: bearer tokens, problem documents, idempotency, run over the workstation's own specs
] as const;

describe('import boundaries', () => {
  it('resolves relative specifiers to the repository paths the layer rules are written in', () => {
    expect(resolveSpecifier('components/review/bench.tsx', '../../lib/server/db/database')).toBe('lib/server/db/database');
    expect(resolveSpecifier('lib/server/dal/cases.ts', './visibility')).toBe('lib/server/dal/visibility');
    expect(resolveSpecifier('app/page.tsx', '@/lib/shared/errors')).toBe('lib/shared/errors');
    expect(resolveSpecifier('app/page.tsx', 'next/link')).toBeNull();
  });

  it('keeps UI components to the browser side: components, lib/client, lib/vision, lib/shared and the actions', () => {
    expect(layerViolations('components', ['components', 'lib/client', 'lib/vision', 'lib/shared', 'lib/actions'])).toEqual([]);
  });

  it('keeps pages thin: outside app/api they reach the server only through the data access layer', () => {
    // Pages ask the DAL, which owns the database and writes the audit records; a page that opened
    // Prisma itself could read past the visibility rule or look at casework without the view audited.
    expect(layerViolations('app', ['app', 'components', 'lib/actions', 'lib/server/dal', 'lib/shared'], { except: 'app/api' })).toEqual([]);
  });

  it('lets HTTP routes under app/api use the DAL and a short list of server modules, no more', () => {
    expect(layerViolations('app/api', ['app/api', 'lib/shared', 'lib/server/dal', ...API_ROUTE_SERVER_MODULES])).toEqual([]);
  });

  it('keeps the actions to the server and shared code', () => {
    expect(layerViolations('lib/actions', ['lib/actions', 'lib/server', 'lib/shared'])).toEqual([]);
  });

  it('keeps server code off the browser side and out of the actions', () => {
    expect(layerViolations('lib/server', ['lib/server', 'lib/vision', 'lib/shared'])).toEqual([]);
  });

  it('keeps browser code to itself, the face pipeline and shared code', () => {
    expect(layerViolations('lib/client', ['lib/client', 'lib/vision', 'lib/shared'])).toEqual([]);
  });

  it('keeps the face pipeline runtime-agnostic (no Node, no browser-only, no server modules)', () => {
    expect(layerViolations('lib/vision', ['lib/vision', 'lib/shared'])).toEqual([]);
    expect(packageViolations('lib/vision', (specifier) => specifier.startsWith('node:') || specifier.startsWith('onnxruntime'))).toEqual([]);
  });

  it('keeps shared code free of I/O and of server or client modules', () => {
    expect(layerViolations('lib/shared', ['lib/shared'])).toEqual([]);
    expect(packageViolations('lib/shared', (specifier) => specifier.startsWith('node:'))).toEqual([]);
  });

  it('never lets library code import routes', () => {
    const routeImports = [...importsOf('lib'), ...importsOf('components')].filter(({ target }) => target !== null && isUnder(target, 'app'));
    expect(routeImports.map(describeImport)).toEqual([]);
  });

  it("marks every server module server-only (the proxy's edge-safe auth settings excepted)", () => {
    const unmarked = sourceFiles('lib/server').filter(
      (path) => path !== join('lib', 'server', 'auth', 'auth-config.ts') && !readFileSync(join(root, path), 'utf8').includes("import 'server-only';"),
    );
    expect(unmarked).toEqual([]);
  });

  describe('server actions', () => {
    const actionFiles = sourceFiles('lib/actions');
    // Sign-in and sign-out are NextAuth's own server actions: they open and end the session every
    // other action authenticates against, so there is no actor yet (or any more) to wrap them for.
    const UNWRAPPED_EXPORTS: Record<string, readonly string[]> = { [join('lib', 'actions', 'auth.ts')]: ['signInWithPassword', 'signOutNow'] };

    it.each(actionFiles)('%s is a "use server" file that opens no transaction of its own', (path) => {
      const text = readFileSync(join(root, path), 'utf8');
      expect(text.startsWith("'use server';")).toBe(true);
      // Writes happen inside wrapped actions; the exported functions never open their own transaction.
      expect(text.includes('$transaction')).toBe(false);
    });

    // By construction, not by reading the text: each export is asked whether the action definer (or
    // composeAction around one of its actions) made it, so an export that calls the wrapper somewhere
    // inside, or skips it on some path, does not pass.
    it.each(actionFiles)('every export of %s was made by the action definer', { timeout: 60_000 }, async (path) => {
      const exported = (await import(/* @vite-ignore */ join(root, path))) as Record<string, unknown>;
      const unwrapped = Object.entries(exported)
        .filter(([name, value]) => !isDefinedAction(value) && !(UNWRAPPED_EXPORTS[path] ?? []).includes(name))
        .map(([name]) => name);
      expect(Object.keys(exported).length).toBeGreaterThan(0);
      expect(unwrapped).toEqual([]);
    });
  });

  it('has no barrel files', () => {
    const barrels = ['app', 'components', 'lib'].flatMap(sourceFiles).filter((path) => /(^|\/)index\.tsx?$/.test(path));
    expect(barrels).toEqual([]);
  });
});
