import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The house rules of ../shared/STYLE.md that a reviewer would otherwise have to remember, checked on
// every run: which layers may import which, server code marked server-only, the face pipeline free of
// any runtime, no barrel files.
const root = process.cwd();

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'generated' || name === 'node_modules') return [];
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function importsOf(path: string): string[] {
  const text = readFileSync(join(root, path), 'utf8');
  const patterns = [
    /(?:^|\n)\s*(?:import|export)[^'";]*?from\s+['"]([^'"]+)['"]/g, // import x from '…', export … from '…'
    /(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g, // import '…' (side effects only)
    /import\(\s*['"]([^'"]+)['"]\s*\)/g, // import('…')
  ];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]!));
}

function violations(dir: string, isForbidden: (specifier: string) => boolean): string[] {
  return sourceFiles(dir).flatMap((path) => importsOf(path).filter(isForbidden).map((specifier) => `${relative(root, path)} → ${specifier}`));
}

describe('import boundaries', () => {
  it('keeps UI components away from server-only code', () => {
    expect(violations('components', (specifier) => specifier.startsWith('@/lib/server'))).toEqual([]);
  });

  it('keeps pages thin: outside app/api they reach the server only through the data access layer', () => {
    // Pages ask the DAL, which owns the database and writes the audit records; a page that opened
    // Prisma itself could read past the visibility rule or look at casework without the view audited.
    // HTTP routes under app/api are contracts of their own and use lib/server/http and the like.
    const pageViolations = violations('app', (specifier) => specifier.startsWith('@/lib/server') && !specifier.startsWith('@/lib/server/dal/')).filter(
      (violation) => !violation.startsWith(join('app', 'api') + '/'),
    );
    expect(pageViolations).toEqual([]);
  });

  it('keeps the face pipeline runtime-agnostic (no Node, no browser-only, no server modules)', () => {
    expect(
      violations('lib/vision', (specifier) => specifier.startsWith('node:') || /^@\/lib\/(server|client|actions)/.test(specifier) || specifier.startsWith('onnxruntime')),
    ).toEqual([]);
  });

  it('keeps shared code free of I/O and of server or client modules', () => {
    expect(violations('lib/shared', (specifier) => specifier.startsWith('node:') || /^@\/lib\/(server|client|actions)/.test(specifier))).toEqual([]);
  });

  it('never lets library code import routes', () => {
    expect(violations('lib', (specifier) => specifier.startsWith('@/app'))).toEqual([]);
    expect(violations('components', (specifier) => specifier.startsWith('@/app'))).toEqual([]);
  });

  it("marks every server module server-only (the proxy's edge-safe auth settings excepted)", () => {
    const unmarked = sourceFiles('lib/server').filter(
      (path) => path !== join('lib', 'server', 'auth', 'auth-config.ts') && !readFileSync(join(root, path), 'utf8').includes("import 'server-only';"),
    );
    expect(unmarked).toEqual([]);
  });

  it('routes every server action through the action wrapper', () => {
    const actionFiles = sourceFiles('lib/actions').filter((path) => !path.endsWith('auth.ts'));
    for (const path of actionFiles) {
      const text = readFileSync(join(root, path), 'utf8');
      expect(text.startsWith("'use server';"), path).toBe(true);
      // defineAccountAction is the same wrapper for one's own account (it also admits a session
      // opened with a temporary password): lib/server/auth/define-account-action.ts.
      expect(text.includes('defineAction(') || text.includes('defineAccountAction('), path).toBe(true);
      // Writes happen inside wrapped actions; the exported functions never open their own transaction.
      expect(text.includes('$transaction'), path).toBe(false);
    }
  });

  it('has no barrel files', () => {
    const barrels = ['app', 'components', 'lib'].flatMap(sourceFiles).filter((path) => /(^|\/)index\.tsx?$/.test(path));
    expect(barrels).toEqual([]);
  });
});
