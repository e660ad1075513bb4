import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

// What the application exposes, read from the source tree: every exported server action and every
// route with its HTTP methods. The authorisation matrix (lib/shared/security/authorization-matrix.ts)
// must list each of them; tests/unit/authorization-matrix-coverage.test.ts compares the two.

const ROOT = process.cwd();
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** The runtime exports of a module (types left out), read with the TypeScript parser. */
export function runtimeExportsOf(path: string): string[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true, path.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const names: string[] = [];
  const isExported = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const isDefault = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) {
      if (isExported(statement)) names.push(isDefault(statement) ? 'default' : (statement.name?.text ?? 'default'));
    } else if (ts.isVariableStatement(statement) && isExported(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name)) names.push(declaration.name.text);
      }
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) {
      if (!statement.exportClause) names.push(`* from ${(statement.moduleSpecifier as ts.StringLiteral).text}`);
      else if (ts.isNamedExports(statement.exportClause)) {
        for (const element of statement.exportClause.elements) if (!element.isTypeOnly) names.push(element.name.text);
      }
    } else if (ts.isExportAssignment(statement)) {
      names.push('default');
    }
  }
  return names;
}

function walk(dir: string, fileName: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...walk(path, fileName));
    else if (entry.name === fileName) found.push(path);
  }
  return found;
}

/** `app/(investigator)/cases/[caseId]/page.tsx` → `/cases/[caseId]`: route groups and private folders are not part of the URL. */
function urlPathOf(file: string): string {
  const segments = relative(join(ROOT, 'app'), file).split(sep).slice(0, -1);
  const kept = segments.filter((segment) => !(segment.startsWith('(') && segment.endsWith(')')) && !segment.startsWith('@'));
  return `/${kept.join('/')}`;
}

/** Every server action as `<file>.<export>`, for each file of lib/actions. */
export function listServerActions(): string[] {
  const dir = join(ROOT, 'lib', 'actions');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.ts'))
    .flatMap((name) => runtimeExportsOf(join(dir, name)).map((exported) => `${name.slice(0, -3)}.${exported}`))
    .sort();
}

/** Every page (`GET <path>`) and every API route by the HTTP methods its route.ts exports (`POST <path>`). */
export function listRoutes(): { key: string; file: string }[] {
  const app = join(ROOT, 'app');
  const pages = walk(app, 'page.tsx').map((file) => ({ key: `GET ${urlPathOf(file)}`, file }));
  const handlers = walk(app, 'route.ts').flatMap((file) =>
    runtimeExportsOf(file)
      .filter((name): name is (typeof HTTP_METHODS)[number] => (HTTP_METHODS as readonly string[]).includes(name))
      .map((method) => ({ key: `${method} ${urlPathOf(file)}`, file })),
  );
  return [...pages, ...handlers].map((route) => ({ ...route, file: relative(ROOT, route.file) })).sort((a, b) => a.key.localeCompare(b.key));
}
