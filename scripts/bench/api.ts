import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
// @ts-expect-error autocannon 9 ships no type declarations
import autocannon from 'autocannon';
import { parseCommandLine } from '../support/parse-args';

// `npm run bench -- api [--clients 16] [--seconds 30] [--gallery 100000] [--port 3290] [--json]`
//
// N API clients, each on its own connection and with its own token, search a synthetic gallery of
// `--gallery` faces through the real server (`npm start` on loopback, a fresh embedded store unless
// DATABASE_URL is set), first by embedding + crop, then by photo (an LFW image, when ../shared/data/lfw
// exists). Reports requests/s, latency p50/p95/p99 (from every response, not autocannon's buckets),
// errors, the server's event-loop delay (RFR_BENCH_EVENT_LOOP_FILE: written by the server for this
// benchmark only), and checks that nothing was lost: every 201 has its search row and its search.run
// audit event.

type Options = { clients: number; seconds: number; gallery: number; port: number; json: boolean };
type Phase = {
  mode: 'embedding' | 'image';
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number } | null;
  created: number;
};

const ROOT = process.cwd();

function parseOptions(argv: string[]): Options {
  const commandLine = parseCommandLine(argv, {
    name: 'bench api',
    usage: 'usage: npm run bench -- api [--clients 16] [--seconds 30] [--gallery 100000] [--port 3290] [--json]',
    options: { clients: { type: 'string' }, seconds: { type: 'string' }, gallery: { type: 'string' }, port: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  return {
    clients: commandLine.integer('clients', { min: 1, fallback: 16 }),
    seconds: commandLine.integer('seconds', { min: 1, fallback: 30 }),
    gallery: commandLine.integer('gallery', { min: 1, fallback: 100_000 }),
    port: commandLine.integer('port', { min: 1, max: 65_535, fallback: 3290 }),
    json: commandLine.values.json,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function multipart(fields: Record<string, string>, files: Record<string, { name: string; type: string; bytes: Buffer }>) {
  const boundary = `----rfr-bench-${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  for (const [name, file] of Object.entries(files)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`), file.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Random unit vectors, seeded per row, as Float32 bytes. */
function syntheticEmbedding(dimension: number): Float32Array {
  const values = new Float32Array(dimension);
  let norm = 0;
  for (let i = 0; i < dimension; i++) {
    const u = Math.random() || 1e-9;
    values[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random());
    norm += values[i]! * values[i]!;
  }
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < dimension; i++) values[i]! *= scale;
  return values;
}

export async function run(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  const log = (line: string) => (options.json ? console.error(line) : console.log(line));
  const dataDir = mkdtempSync(join(tmpdir(), 'rfr-bench-api-'));
  process.env.DATA_DIR = dataDir;
  log(`api benchmark: ${options.clients} clients, ${options.seconds} s per phase, gallery ${options.gallery}, data ${dataDir}`);
  log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; store ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}, rate limits ${process.env.REDIS_URL ? 'Redis' : 'in memory'}`);

  const { getConfig } = await import('@/lib/server/config');
  const { embeddedDatabaseDir, openDatabase } = await import('@/lib/server/db/database');
  const { getVectorIndex, closeVectorIndex } = await import('@/lib/server/vector/get-vector-index');
  const { loadFacePipeline } = await import('@/lib/server/vision/load-face-pipeline');
  const { decodeAlignedCrop } = await import('@/lib/server/probes/verify-probe-face');
  const { encodeCropPixels } = await import('@/lib/server/storage/crop-store');
  const { decodeImageFile } = await import('@/lib/server/vision/decode-image-file');
  const { createActionDefiner } = await import('@/lib/server/actions/create-action-definer');
  const { createApiClientSpec } = await import('@/lib/server/actions/specs/api-clients');
  const { embeddingToBytes } = await import('@/lib/server/gallery/embedding-bytes');
  const { arcFaceTemplate112 } = await import('@/lib/vision/align-face');
  const { pickPrimaryFace } = await import('@/lib/vision/face-pipeline');
  const config = getConfig();

  // 1. The gallery and the clients, written before the server starts (the embedded store serves one process).
  const pipeline = await loadFacePipeline();
  const modelId = pipeline.recognizerId;
  const seeded = performance.now();
  let database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: embeddedDatabaseDir(dataDir) });
  const owner = await database.prisma.user.create({ data: { email: `bench-${randomUUID()}@bench.invalid`, displayName: 'Bench owner', passwordHash: 'x', role: 'admin' } });
  const team = await database.prisma.team.create({ data: { name: `Bench team ${randomUUID().slice(0, 8)}` } });
  const watchlist = await database.prisma.watchlist.create({
    data: { name: `Bench gallery ${randomUUID().slice(0, 8)}`, purpose: 'Load benchmark', authority: 'Benchmark', ownerId: owner.id, retentionDays: 365, reviewDate: new Date(Date.now() + 365 * 86_400_000) },
  });
  const index = getVectorIndex();
  await index.ensureCollection({ modelId, dimension: pipeline.embeddingDimension });
  const expiresAt = new Date(Date.now() + 365 * 86_400_000);
  for (let start = 0; start < options.gallery; start += 2000) {
    const size = Math.min(2000, options.gallery - start);
    const rows = Array.from({ length: size }, (_, offset) => ({ subjectId: randomUUID(), faceId: randomUUID(), pointId: randomUUID(), embedding: syntheticEmbedding(pipeline.embeddingDimension), n: start + offset }));
    await database.prisma.subject.createMany({ data: rows.map((row) => ({ id: row.subjectId, watchlistId: watchlist.id, reference: `BENCH-${row.n}`, displayName: `Synthetic subject ${row.n}` })) });
    await database.prisma.enrolledFace.createMany({
      data: rows.map((row) => ({
        id: row.faceId,
        subjectId: row.subjectId,
        watchlistId: watchlist.id,
        imageSha256: createHash('sha256').update(row.faceId).digest('hex'),
        cropKey: 'enrolled/bench-synthetic.png',
        quality: {},
        modelId,
        embedding: embeddingToBytes(row.embedding),
        vectorPointId: row.pointId,
        indexState: 'indexed' as const,
        expiresAt,
      })),
    });
    await index.upsert(
      modelId,
      rows.map((row) => ({ id: row.pointId, vector: row.embedding, payload: { watchlistId: watchlist.id, subjectId: row.subjectId, enrolledFaceId: row.faceId, expiresAt: expiresAt.toISOString() } })),
    );
    if ((start / 2000) % 10 === 0) log(`  gallery ${start + size}/${options.gallery}`);
  }
  const cliActor = { id: `cli:${userInfo().username}`, email: 'bench@cli', displayName: 'Benchmark', role: 'admin' as const, teamId: null };
  const defineAction = createActionDefiner({ getActor: async () => cliActor, getPrisma: async () => database.prisma, getRequestContext: async () => ({ ip: null, userAgent: 'bench' }) });
  const clients: { clientId: string; clientSecret: string }[] = [];
  for (let i = 0; i < options.clients; i++) {
    const created = await defineAction(createApiClientSpec)({ name: `Bench client ${i}`, team: team.name, watchlists: [watchlist.name], rate: '100000/s', expires: '1d' });
    if (!created.ok) throw new Error(created.error.message);
    clients.push(created.data);
  }
  await closeVectorIndex();
  await database.close();
  log(`seeded ${options.gallery} faces and ${options.clients} clients in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);

  // 2. The probes: an LFW photo and its aligned crop when LFW is here, else a synthetic crop.
  const lfwPhoto = resolve(ROOT, '../shared/data/lfw/images/Colin_Powell/Colin_Powell_0001.jpg');
  const photo = existsSync(lfwPhoto) ? readFileSync(lfwPhoto) : null;
  let cropPng: Buffer;
  if (photo) {
    const decoded = await decodeImageFile(new Uint8Array(photo));
    const face = await pipeline.analyseFace(decoded.image, pickPrimaryFace(await pipeline.detectFaces(decoded.image))!);
    cropPng = (await encodeCropPixels('probe', face.aligned)).png;
  } else {
    log('LFW not found at ../shared/data/lfw: probes by photo skipped; the embedding probe uses a synthetic crop');
    cropPng = await sharp(randomBytes(112 * 112 * 3), { raw: { width: 112, height: 112, channels: 3 } }).png().toBuffer();
  }
  const cropEmbedding = await pipeline.embedAlignedFace(await decodeAlignedCrop(new Uint8Array(cropPng)), arcFaceTemplate112);
  const common = { reference: 'BENCH-0001', purpose: 'Load benchmark of the search API', operator: 'BENCH-OPERATOR', qualityOverrideReason: 'Synthetic load benchmark probe, not casework.' };
  const bodies = {
    embedding: multipart({ ...common, embedding: JSON.stringify(Array.from(cropEmbedding)), modelId }, { crop: { name: 'crop.png', type: 'image/png', bytes: cropPng } }),
    image: photo ? multipart(common, { image: { name: 'photo.jpg', type: 'image/jpeg', bytes: photo } }) : null,
  };

  // 3. The server, exactly as users start it, with the event-loop report switched on.
  const eventLoopFile = join(dataDir, 'event-loop.json');
  const base = `http://127.0.0.1:${options.port}`;
  const server: ChildProcess = spawn(process.execPath, [join(ROOT, 'scripts/start.mjs')], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(options.port), RFR_BENCH_EVENT_LOOP_FILE: eventLoopFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let serverLog = '';
  server.stdout?.on('data', (chunk) => (serverLog += chunk));
  server.stderr?.on('data', (chunk) => (serverLog += chunk));
  const phases: Phase[] = [];
  const createdIds: string[] = [];
  try {
    for (let waited = 0; ; waited += 1) {
      if (server.exitCode !== null) throw new Error(`the server exited:\n${serverLog.slice(-4000)}`);
      const healthy = await fetch(`${base}/api/health`).then((response) => response.ok).catch(() => false);
      if (healthy) break;
      if (waited > 900) throw new Error('the server did not start within 15 minutes');
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const tokens = await Promise.all(
      clients.map(async (client) => {
        const response = await fetch(`${base}/api/v1/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }) });
        const body = (await response.json()) as { access_token?: string };
        if (!body.access_token) throw new Error(`no token: ${JSON.stringify(body)}`);
        return body.access_token;
      }),
    );
    for (const mode of ['embedding', 'image'] as const) {
      const form = bodies[mode];
      if (!form) continue;
      // Warm-up: the first search loads the models and opens the index.
      const warm = await fetch(`${base}/api/v1/searches`, { method: 'POST', headers: { authorization: `Bearer ${tokens[0]}`, 'content-type': form.contentType }, body: form.body });
      if (warm.status !== 201) throw new Error(`warm-up ${mode} search: ${warm.status} ${await warm.text()}`);
      createdIds.push(((await warm.json()) as { id: string }).id);
      writeFileSync(`${eventLoopFile}.reset`, '');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      log(`phase ${mode}: ${options.clients} clients for ${options.seconds} s…`);
      phases.push(await runPhase({ mode, base, tokens, form, seconds: options.seconds, eventLoopFile, createdIds }));
      const last = phases.at(-1)!;
      log(`  ${last.requestsPerSecond.toFixed(1)} req/s, p50 ${last.latencyMs.p50} ms, p95 ${last.latencyMs.p95} ms, p99 ${last.latencyMs.p99} ms, errors ${last.errors}, statuses ${JSON.stringify(last.statusCounts)}, event-loop p99 ${last.eventLoopDelayMs?.p99 ?? '?'} ms`);
    }
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => (server.exitCode !== null ? resolve(null) : server.once('exit', resolve)));
  }

  // 4. Nothing lost: every 201 has its search row and its audit event.
  database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: embeddedDatabaseDir(dataDir) });
  let rows = 0;
  let events = 0;
  for (let start = 0; start < createdIds.length; start += 1000) {
    const chunk = createdIds.slice(start, start + 1000);
    rows += await database.prisma.search.count({ where: { id: { in: chunk } } });
    events += await database.prisma.auditEvent.count({ where: { action: 'search.run', outcome: 'success', targetId: { in: chunk } } });
  }
  await database.close();
  const integrity = { created: createdIds.length, searchRows: rows, auditEvents: events, lost: createdIds.length - Math.min(rows, events) };
  log(`integrity: ${integrity.created} searches answered 201; ${rows} search rows, ${events} search.run audit events; lost ${integrity.lost}`);
  const report = { machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version }, options, store: process.env.DATABASE_URL ? 'postgresql' : 'pglite', rateLimiter: process.env.REDIS_URL ? 'redis' : 'memory', phases, integrity };
  if (options.json) console.log(JSON.stringify(report, null, 2));
  rmSync(dataDir, { recursive: true, force: true });
  if (integrity.lost !== 0) process.exitCode = 1;
}

async function runPhase(options: {
  mode: Phase['mode'];
  base: string;
  tokens: string[];
  form: { body: Buffer; contentType: string };
  seconds: number;
  eventLoopFile: string;
  createdIds: string[];
}): Promise<Phase> {
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  const instances = options.tokens.map(
    (token) =>
      new Promise<{ errors: number; timeouts: number }>((resolve, reject) => {
        const instance = autocannon(
          {
            url: options.base,
            connections: 1,
            duration: options.seconds,
            timeout: 120,
            requests: [
              {
                method: 'POST',
                path: '/api/v1/searches',
                headers: { authorization: `Bearer ${token}`, 'content-type': options.form.contentType },
                body: options.form.body,
                onResponse: (status: number, body: string) => {
                  if (status === 201) options.createdIds.push((JSON.parse(body) as { id: string }).id);
                },
              },
            ],
          },
          (error: Error | null, result: { errors: number; timeouts: number }) => (error ? reject(error) : resolve(result)),
        );
        instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
          latencies.push(responseTime);
          statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1;
        });
      }),
  );
  const before = options.createdIds.length;
  const results = await Promise.all(instances);
  const sorted = latencies.sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 10) / 10;
  let eventLoopDelayMs: Phase['eventLoopDelayMs'] = null;
  try {
    const summary = JSON.parse(readFileSync(options.eventLoopFile, 'utf8')) as { p50Ms: number; p99Ms: number; maxMs: number };
    eventLoopDelayMs = { p50: summary.p50Ms, p99: summary.p99Ms, max: summary.maxMs };
  } catch {
    eventLoopDelayMs = null;
  }
  const errors = results.reduce((total, result) => total + result.errors, 0);
  const non2xx = Object.entries(statusCounts).filter(([status]) => status !== '201').reduce((total, [, count]) => total + count, 0);
  return {
    mode: options.mode,
    requests: sorted.length,
    requestsPerSecond: sorted.length / options.seconds,
    latencyMs: { p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? 0) },
    statusCounts,
    errors: errors + non2xx,
    timeouts: results.reduce((total, result) => total + result.timeouts, 0),
    eventLoopDelayMs,
    created: options.createdIds.length - before,
  };
}
