import 'server-only';
import { getPrisma } from '@/lib/server/db/database';
import { recordAuditEvent, type AuditEntry } from './append-audit-event';
import type { RequestContext } from './request-context';

// Every face crop served is a person's face seen by someone, so it is audited; but a candidate gallery
// loads dozens of crops at once, and an event per image would drown the log (and serialise every image
// request on the chain lock). Views are therefore buffered in the process and written as one
// `crop.view` event per viewer (and request origin and outcome) every couple of seconds, and at
// shutdown. A failed write keeps the views for the next flush; views that still cannot be written are
// logged in full as lost, never dropped quietly.

export type CropKind = 'probe_face' | 'enrolled_face' | 'candidate';

export type CropView = {
  actor: { id: string; role: string };
  request: RequestContext | null;
  kind: CropKind;
  id: string;
  outcome: 'success' | 'refused';
  at?: Date;
};

export type CropViewPayload = {
  crops: { kind: CropKind; id: string; count: number }[];
  views: number;
  from: string;
  to: string;
};

type Group = {
  actorId: string;
  actorRole: string;
  request: RequestContext | null;
  outcome: 'success' | 'refused';
  crops: Map<string, { kind: CropKind; id: string; count: number }>;
  views: number;
  from: Date;
  to: Date;
  attempts: number;
};

export type CropViewLogOptions = {
  /** Writes one event; rejects if it could not be written. */
  write: (entry: AuditEntry) => Promise<void>;
  flushIntervalMs?: number;
  /** Failed writes of one batch tried again at the next flushes before its views are reported lost. */
  maxAttempts?: number;
  /** A batch this large is written at once rather than at the next tick. */
  maxBufferedViews?: number;
  logError?: (message: string, detail: unknown) => void;
};

export class CropViewLog {
  private buffer = new Map<string, Group>();
  private buffered = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly flushIntervalMs: number;
  private readonly maxAttempts: number;
  private readonly maxBufferedViews: number;
  private readonly logError: (message: string, detail: unknown) => void;

  constructor(private readonly options: CropViewLogOptions) {
    this.flushIntervalMs = options.flushIntervalMs ?? 2_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.maxBufferedViews = options.maxBufferedViews ?? 500;
    this.logError = options.logError ?? ((message, detail) => console.error(`[audit] ${message}`, JSON.stringify(detail)));
  }

  /** Notes one crop served (or refused); synchronous, so the response is never held up by the log. */
  record(view: CropView): void {
    const at = view.at ?? new Date();
    const key = JSON.stringify([view.actor.id, view.actor.role, view.request ?? null, view.outcome]);
    let group = this.buffer.get(key);
    if (!group) {
      group = { actorId: view.actor.id, actorRole: view.actor.role, request: view.request, outcome: view.outcome, crops: new Map(), views: 0, from: at, to: at, attempts: 0 };
      this.buffer.set(key, group);
    }
    const cropKey = `${view.kind}:${view.id}`;
    const crop = group.crops.get(cropKey);
    if (crop) crop.count += 1;
    else group.crops.set(cropKey, { kind: view.kind, id: view.id, count: 1 });
    group.views += 1;
    if (at < group.from) group.from = at;
    if (at > group.to) group.to = at;
    this.buffered += 1;
    if (this.buffered >= this.maxBufferedViews) void this.flush();
    else this.schedule();
  }

  /** Writes everything recorded so far; resolves once it is written (or re-queued, or reported lost). */
  flush(): Promise<void> {
    // Flushes run one after another: each takes the buffer as it is when it starts, and views recorded
    // while it writes go into a fresh buffer for the next one, so none is written twice or skipped.
    this.flushing = this.flushing.then(() => this.flushOnce());
    return this.flushing;
  }

  /** Stops the timer and writes what is left (at shutdown). */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
    // What failed in the last flush has no later flush to go to.
    if (this.buffer.size > 0) {
      for (const group of this.buffer.values()) this.reportLost(group, 'the server is shutting down');
      this.buffer.clear();
      this.buffered = 0;
    }
  }

  get pendingViews(): number {
    return this.buffered;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.flushIntervalMs);
    this.timer.unref();
  }

  private async flushOnce(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buffer;
    this.buffer = new Map();
    this.buffered = 0;
    for (const [key, group] of batch) {
      try {
        await this.options.write(toEntry(group));
      } catch (error) {
        group.attempts += 1;
        if (group.attempts >= this.maxAttempts) {
          this.reportLost(group, (error as Error).message);
          continue;
        }
        this.logError(`crop views not yet audited (attempt ${group.attempts} of ${this.maxAttempts}, will retry): ${(error as Error).message}`, describe(group));
        this.requeue(key, group);
      }
    }
    if (this.buffer.size > 0) this.schedule();
  }

  private requeue(key: string, failed: Group): void {
    const current = this.buffer.get(key);
    if (!current) {
      this.buffer.set(key, failed);
      this.buffered += failed.views;
      return;
    }
    for (const [cropKey, crop] of failed.crops) {
      const existing = current.crops.get(cropKey);
      if (existing) existing.count += crop.count;
      else current.crops.set(cropKey, { ...crop });
    }
    current.views += failed.views;
    current.attempts = Math.max(current.attempts, failed.attempts);
    if (failed.from < current.from) current.from = failed.from;
    if (failed.to > current.to) current.to = failed.to;
    this.buffered += failed.views;
  }

  private reportLost(group: Group, reason: string): void {
    this.logError(`AUDIT RECORD LOST: ${group.views} crop view(s) could not be written to the audit log (${reason})`, describe(group));
  }
}

function toEntry(group: Group): AuditEntry {
  const payload: CropViewPayload = {
    crops: [...group.crops.values()],
    views: group.views,
    from: group.from.toISOString(),
    to: group.to.toISOString(),
  };
  return {
    actorId: group.actorId,
    actorRole: group.actorRole,
    action: 'crop.view',
    outcome: group.outcome,
    targetType: 'crop',
    targetId: null,
    payload,
    request: group.request,
  };
}

function describe(group: Group) {
  return { ...toEntry(group), attempts: group.attempts };
}

// One log per process, kept on globalThis so Next's module reloads in development share it.
const holder = globalThis as typeof globalThis & { __rfrCropViewLog?: CropViewLog };

export function getCropViewLog(): CropViewLog {
  holder.__rfrCropViewLog ??= new CropViewLog({
    write: async (entry) => {
      await recordAuditEvent(await getPrisma(), entry);
    },
  });
  return holder.__rfrCropViewLog;
}

/** Writes the views still buffered; for shutdown. */
export async function closeCropViewLog(): Promise<void> {
  const log = holder.__rfrCropViewLog;
  delete holder.__rfrCropViewLog;
  await log?.close();
}
