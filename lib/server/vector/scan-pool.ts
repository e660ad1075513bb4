import 'server-only';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ScanBlock, ScanOptions, ScanQuery, ScanResult } from '@/lib/server/vector/exact-scan';
import { VectorIndexError } from '@/lib/server/vector/vector-index';

/**
 * A block as the pool sends it: the float32 and int8 rows are views of SharedArrayBuffers (sent by
 * reference, not copied), `bufferId` names the allocation and `version` moves on with every write to
 * it, so a worker knows when its own int8 copy is stale (see scan-worker.mjs for why it keeps one).
 */
export type SharedScanBlock = ScanBlock & { bufferId: number; version: number };

export type ScanJob = { blocks: SharedScanBlock[]; query: ScanQuery; options: ScanOptions };

export type ScanPoolOptions = {
  size: number;
  /** The worker script; tests pass a fixture. Defaults to scan-worker.mjs next to this module. */
  workerFile?: string;
};

/**
 * Workers for 2 cores: one, leaving the other core to the event loop (requests, the database driver,
 * PGlite); on bigger machines all cores but one, and no more than 8 (a scan is bound by memory
 * bandwidth, which more threads than that do not add).
 */
export function defaultScanWorkers(cores = availableParallelism()): number {
  return Math.max(1, Math.min(8, cores - 1));
}

const WORKER_FILE_NAME = ['scan-worker', 'mjs'].join('.');

/**
 * Where the worker script is, found at run time. Deliberately not `new URL('./scan-worker.mjs',
 * import.meta.url)` written out: the Next.js bundler would rewrite that into a bundled asset, and a
 * bundled worker loses its sibling kernel and the native usearch package. Next to this module when it
 * runs from source (tsx, vitest), else under the app's root (the built server runs from there).
 */
export function resolveScanWorkerFile(): string {
  const candidates: string[] = [];
  const here = import.meta.url;
  if (typeof here === 'string' && here.startsWith('file:')) candidates.push(join(dirname(fileURLToPath(here)), WORKER_FILE_NAME));
  candidates.push(join(process.cwd(), 'lib', 'server', 'vector', WORKER_FILE_NAME));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new VectorIndexError(
      'UNAVAILABLE',
      `the scan worker script was not found (looked at ${candidates.join(', ')}); run the server from the app's folder or set VECTOR_SCAN_WORKERS=0 to scan in the server thread`,
    );
  }
  return found;
}

type PendingJob = {
  id: number;
  job: ScanJob;
  resolve: (result: ScanResult) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
};

type Slot = {
  worker: Worker | null;
  running: PendingJob | null;
  /** Buffers freed since this worker's last job: it drops its copies of them with the next one. */
  retired: number[];
};

/**
 * A fixed set of worker threads that run exact scans, so a long scan never holds the event loop: other
 * requests (and other searches, up to the pool's size) go on while it runs. Each search runs whole in
 * one worker with the same kernel as the in-thread scan, so its result is bit-identical.
 *
 * A worker that dies fails only the search it was running (VectorIndexError, which the action wrapper
 * reports as an internal error with an event id); the next search gets a fresh worker.
 */
export class ScanPool {
  private readonly slots: Slot[];
  private readonly queue: PendingJob[] = [];
  private readonly workerFile: string;
  private nextJobId = 1;
  private closing: Promise<void> | null = null;

  constructor(options: ScanPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new Error(`scan pool size must be a positive integer, not ${options.size}`);
    this.workerFile = options.workerFile ?? resolveScanWorkerFile();
    this.slots = Array.from({ length: options.size }, () => ({ worker: null, running: null, retired: [] }));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Scans queued or running right now. */
  get pending(): number {
    return this.queue.length + this.slots.filter((slot) => slot.running).length;
  }

  run(job: ScanJob, signal?: AbortSignal): Promise<ScanResult> {
    if (this.closing) return Promise.reject(new VectorIndexError('UNAVAILABLE', 'the scan pool has been closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<ScanResult>((resolve, reject) => {
      const pending: PendingJob = { id: this.nextJobId++, job, resolve, reject, signal, onAbort: undefined };
      if (signal) {
        pending.onAbort = () => this.abort(pending, signal.reason);
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.queue.push(pending);
      this.dispatch();
    });
  }

  /** A block's buffer was replaced or freed: workers may drop their copy of it. */
  retire(bufferId: number): void {
    for (const slot of this.slots) if (slot.worker) slot.retired.push(bufferId);
  }

  /** Refuses new scans, lets the running and queued ones finish, then stops the workers. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.pending > 0) await new Promise((resolve) => setTimeout(resolve, 5));
      await Promise.all(
        this.slots.map(async (slot) => {
          const worker = slot.worker;
          slot.worker = null; // detached first, so its exit is not taken for a crash
          if (worker) await worker.terminate();
        }),
      );
    })();
    return this.closing;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.running) continue;
      const pending = this.queue.shift()!;
      slot.running = pending;
      const worker = (slot.worker ??= this.spawn(slot));
      // Held only while it works: an idle pool never keeps a script from exiting.
      worker.ref();
      const retired = slot.retired;
      slot.retired = [];
      try {
        worker.postMessage({ jobId: pending.id, blocks: pending.job.blocks, query: pending.job.query, options: pending.job.options, retired });
      } catch (error) {
        slot.running = null;
        this.settle(pending, new VectorIndexError('UNAVAILABLE', `could not hand the search to a scan worker: ${messageOf(error)}`, { cause: error }));
      }
    }
  }

  private spawn(slot: Slot): Worker {
    // No inherited flags: the worker is plain JavaScript and needs neither a TypeScript loader nor the
    // server's conditions, and it starts faster without them.
    const worker = new Worker(this.workerFile, { execArgv: [] });
    worker.unref();
    let failure: unknown;
    worker.on('message', (message: { jobId: number; ok: boolean; result?: ScanResult; message?: string }) => {
      const pending = slot.running;
      if (slot.worker !== worker || !pending || pending.id !== message.jobId) return;
      slot.running = null;
      worker.unref();
      if (message.ok) this.settle(pending, null, message.result!);
      else this.settle(pending, new VectorIndexError('UNAVAILABLE', `the scan failed in its worker: ${message.message ?? 'no reason given'}`));
      this.dispatch();
    });
    worker.on('error', (error) => {
      failure = error;
    });
    worker.on('exit', (code) => {
      // A worker stopped on purpose (an aborted search, close) was detached before it was told to stop.
      if (slot.worker !== worker) return;
      slot.worker = null;
      slot.retired = [];
      const pending = slot.running;
      slot.running = null;
      if (pending) {
        const why = failure ? messageOf(failure) : `exit code ${code}`;
        console.error(`[vector] scan worker stopped during a search (${why}); the search failed and the next one gets a new worker`);
        this.settle(pending, new VectorIndexError('UNAVAILABLE', `the scan worker stopped during the search (${why})`, { cause: failure }));
      }
      if (!this.closing) this.dispatch();
    });
    return worker;
  }

  private abort(pending: PendingJob, reason: unknown): void {
    const queued = this.queue.indexOf(pending);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(pending, reason ?? new Error('aborted'));
      return;
    }
    const slot = this.slots.find((candidate) => candidate.running === pending);
    if (!slot) return;
    // A native scan cannot be interrupted from outside; stopping its thread is the only way to free
    // the core. The exit handler respawns lazily, on the next search.
    const worker = slot.worker;
    slot.running = null;
    slot.worker = null;
    slot.retired = [];
    this.settle(pending, reason ?? new Error('aborted'));
    void worker?.terminate();
    this.dispatch();
  }

  private settle(pending: PendingJob, error: unknown, result?: ScanResult): void {
    if (pending.signal && pending.onAbort) pending.signal.removeEventListener('abort', pending.onAbort);
    if (error) pending.reject(error);
    else pending.resolve(result!);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
