import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretMatches } from '@/lib/server/api/api-clients';
import { openDatabase, type Database } from '@/lib/server/db/database';
import { createThrowawayPostgres, type ThrowawayPostgres } from '../../support/test-database';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'rfr-api-client-cli-'));

describe('npm run api:client', async () => {
  const postgres: ThrowawayPostgres | null = await createThrowawayPostgres();
  let database: Database;

  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run('npm', ['run', '--silent', 'api:client', '--', ...args], { env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: postgres!.url } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  beforeAll(async () => {
    if (!postgres) return;
    database = await openDatabase({ databaseUrl: postgres.url });
    const owner = await database.prisma.user.create({ data: { email: 'owner@test.local', displayName: 'Owner', passwordHash: 'x', role: 'admin' } });
    await database.prisma.team.create({ data: { name: 'Response team' } });
    for (const name of ['Custody images', 'Wanted']) {
      await database.prisma.watchlist.create({ data: { name, purpose: 'Test', authority: 'Test', ownerId: owner.id, retentionDays: 30, reviewDate: new Date('2030-01-01') } });
    }
  });
  afterAll(async () => {
    await database?.close();
    await postgres?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.skipIf(!postgres)('creates a client with --json, printing the secret once and storing its digest; rotates, revokes and lists', async () => {
    const created = await cli(['create', '--name', 'Mobile app', '--team', 'Response team', '--watchlist', 'Custody images', '--watchlist', 'Wanted', '--rate', '20/s', '--expires', '30d', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const data = JSON.parse(created.stdout);
    expect(data).toMatchObject({ name: 'Mobile app', team: 'Response team', rate: '20/s' });
    expect(data.watchlists.map((list: { name: string }) => list.name).sort()).toEqual(['Custody images', 'Wanted']);
    expect(data.clientSecret).toMatch(/^rfr_[A-Za-z0-9_-]{43}$/);
    const row = await database.prisma.apiClient.findUniqueOrThrow({ where: { id: data.clientId } });
    expect(secretMatches(data.clientSecret, row.secretSha256)).toBe(true);
    expect(row.rateLimit).toBe(20);
    const event = await database.prisma.auditEvent.findFirstOrThrow({ where: { action: 'api_client.create', targetId: data.clientId } });
    expect(event.actorId).toMatch(/^cli:/);
    expect(JSON.stringify(event.payload)).not.toContain(data.clientSecret);

    const rotated = await cli(['rotate', '--client-id', data.clientId, '--json']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const newSecret = JSON.parse(rotated.stdout).clientSecret;
    const after = await database.prisma.apiClient.findUniqueOrThrow({ where: { id: data.clientId } });
    expect(secretMatches(newSecret, after.secretSha256)).toBe(true);
    expect(secretMatches(data.clientSecret, after.secretSha256)).toBe(false);

    const revoked = await cli(['revoke', '--client-id', data.clientId, '--json']);
    expect(revoked.code, revoked.stderr).toBe(0);
    const listed = JSON.parse((await cli(['list', '--json'])).stdout);
    expect(listed).toEqual([expect.objectContaining({ clientId: data.clientId, standing: 'revoked' })]);
  });

  it.skipIf(!postgres)('refuses unknown options, missing ones and unknown watch-lists with a clear message and a non-zero exit', async () => {
    const unknown = await cli(['create', '--name', 'X', '--colour', 'red']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('api:client: unknown option --colour');
    const missing = await cli(['create', '--name', 'Lonely app']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('api:client: --team is required');
    const unknownCommand = await cli(['delete']);
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toContain('api:client: unknown command "delete"');
    const noList = await cli(['create', '--name', 'Lost app', '--team', 'Response team', '--watchlist', 'Nope', '--json']);
    expect(noList.code).toBe(1);
    expect(noList.stderr).toContain('No watch-list is called "Nope"');
    expect(await database.prisma.apiClient.count({ where: { name: { in: ['Lonely app', 'Lost app'] } } })).toBe(0);
  });
});
