import { describe, expect, it } from 'vitest';
import { ACTION_MATRIX, MATRIX_ACTORS, ROUTE_MATRIX } from '@/lib/shared/security/authorization-matrix';
import { listRoutes, listServerActions, runtimeExportsOf } from '../support/app-surface';

// The attack suite can only prove the refusals the matrix lists: an action or route missing from it
// would never be tried. So the matrix must name exactly what the source tree exposes.

const actionLine = (key: string) => `  '${key}': { anonymous: …, teamInvestigator: …, otherTeamInvestigator: …, secondReviewer: …, supervisor: …, admin: … },`;

describe('the authorisation matrix covers the whole application', () => {
  it('lists every exported server action, and nothing that is not one', () => {
    const exported = listServerActions();
    const listed = Object.keys(ACTION_MATRIX).sort();
    const missing = exported.filter((key) => !listed.includes(key));
    const stale = listed.filter((key) => !exported.includes(key));
    expect(
      missing,
      `Server actions missing from ACTION_MATRIX in lib/shared/security/authorization-matrix.ts; add a line for each:\n${missing.map(actionLine).join('\n')}\n`,
    ).toEqual([]);
    expect(stale, `ACTION_MATRIX lists actions that no file of lib/actions exports any more: ${stale.join(', ')}`).toEqual([]);
    expect(exported.length).toBeGreaterThan(20);
  });

  it('lists every page and every API route method, and nothing that is not one', () => {
    const routes = listRoutes();
    const listed = Object.keys(ROUTE_MATRIX).sort();
    const missing = routes.filter((route) => !listed.includes(route.key));
    const stale = listed.filter((key) => !routes.some((route) => route.key === key));
    expect(
      missing.map((route) => `${route.key}  (${route.file})`),
      `Routes missing from ROUTE_MATRIX in lib/shared/security/authorization-matrix.ts; add a line for each:\n${missing
        .map((route) => `  '${route.key}': { anonymous: …, teamInvestigator: …, otherTeamInvestigator: …, secondReviewer: …, supervisor: …, admin: … },`)
        .join('\n')}\n`,
    ).toEqual([]);
    expect(stale, `ROUTE_MATRIX lists routes that app/ does not have any more: ${stale.join(', ')}`).toEqual([]);
    expect(routes.some((route) => route.key === 'GET /api/crops/probe/[id]')).toBe(true);
  });

  it('gives every listed action and route an outcome for every kind of caller', () => {
    for (const [key, row] of [...Object.entries(ACTION_MATRIX), ...Object.entries(ROUTE_MATRIX)]) {
      if ('open' in row) {
        expect(typeof row.open, key).toBe('string');
        continue;
      }
      expect(Object.keys(row).sort(), key).toEqual([...MATRIX_ACTORS].sort());
    }
  });

  it('reads exports the way the bundler sees them (functions, constants, re-exports; types ignored)', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'rfr-exports-')), 'sample.ts');
    writeFileSync(
      file,
      [
        `'use server';`,
        `export async function one() {}`,
        `export const two = async () => {};`,
        `export type Three = string;`,
        `export interface Four { a: 1 }`,
        `const five = 1; export { five, five as six };`,
        `export { seven } from './elsewhere';`,
        `export type { Eight } from './elsewhere';`,
        `export default async function () {}`,
      ].join('\n'),
    );
    expect(runtimeExportsOf(file).sort()).toEqual(['default', 'five', 'one', 'seven', 'six', 'two']);
  });
});
