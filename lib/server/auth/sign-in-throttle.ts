import 'server-only';
import type { Db } from '@/lib/server/db/database';

/**
 * Sign-in throttling. Every attempt first reserves a place in three buckets, each with one atomic
 * conditional upsert (`INSERT … ON CONFLICT … DO UPDATE … WHERE attempts < limit RETURNING`), before
 * any password is looked at; a bucket that is full refuses without being counted further. Under any
 * concurrency a bucket therefore admits at most its limit per window. A successful sign-in gives its
 * places back, so only failures (and attempts in flight) count.
 *
 * Why these three, and why in this order (the first full one refuses, and nothing after it is touched):
 * - `account_address` (5): one client guessing one account. It bites first, and only that client is
 *   refused: someone hammering an administrator's e-mail locks themselves out, not the administrator.
 * - `address` (10): one client trying many accounts (spraying). Ten, not more, because a whole office
 *   behind one NAT address shares it; set TRUST_PROXY behind a reverse proxy so addresses are real.
 * - `account` (30): many clients guessing one account. Locking an account out for everyone takes at
 *   least six addresses (five attempts each), and lasts one window only: the lock is temporary for
 *   every account, administrators included, and nobody has to unlock it. 30 per 15 minutes caps
 *   distributed guessing at under 3,000 a day against passwords of 12 characters or more.
 *
 * Buckets are keyed by the e-mail as typed (normalised), whether or not an account has it, so the
 * throttle behaves identically for accounts that do not exist and its message reveals nothing.
 */
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;

export const THROTTLE_LIMITS = {
  account_address: 5,
  address: 10,
  account: 30,
} as const;
export type ThrottleKind = keyof typeof THROTTLE_LIMITS;

export type ThrottleReservation =
  | { ok: true; release: () => Promise<void> }
  | { ok: false; kind: ThrottleKind; retryAt: Date };

type Bucket = { kind: ThrottleKind; key: string };

export function signInBuckets(email: string, address: string): Bucket[] {
  return [
    { kind: 'account_address', key: `${email} ${address}` },
    { kind: 'address', key: address },
    { kind: 'account', key: email },
  ];
}

/**
 * Reserves one attempt in every bucket, in order, or none: when a bucket is full, the places already
 * taken in earlier buckets are given back and the refusal names the full bucket.
 */
export async function reserveSignInAttempt(db: Db, options: { email: string; address: string; now?: Date; buckets?: ThrottleKind[] }): Promise<ThrottleReservation> {
  const now = options.now ?? new Date();
  const wanted = signInBuckets(options.email, options.address).filter((bucket) => !options.buckets || options.buckets.includes(bucket.kind));
  const taken: Bucket[] = [];
  for (const bucket of wanted) {
    const admitted = await takePlace(db, bucket, now);
    if (!admitted) {
      await givePlacesBack(db, taken);
      return { ok: false, kind: bucket.kind, retryAt: await windowEnd(db, bucket, now) };
    }
    taken.push(bucket);
  }
  let isReleased = false;
  return {
    ok: true,
    release: async () => {
      if (isReleased) return;
      isReleased = true;
      await givePlacesBack(db, taken);
    },
  };
}

// One statement, atomic in PostgreSQL (the conflicting row is locked and the WHERE re-checked) and in
// PGlite (one connection): a fresh window starts at 1; a current one counts up only while under the limit.
async function takePlace(db: Db, bucket: Bucket, now: Date): Promise<boolean> {
  const limit = THROTTLE_LIMITS[bucket.kind];
  const windowStart = new Date(now.getTime() - THROTTLE_WINDOW_MS);
  const rows = await db.$queryRaw<{ attempts: number }[]>`
    INSERT INTO "sign_in_throttles" AS t ("kind", "key", "window_started_at", "attempts")
    VALUES (${bucket.kind}, ${bucket.key}, ${now}, 1)
    ON CONFLICT ("kind", "key") DO UPDATE SET
      "attempts" = CASE WHEN t."window_started_at" <= ${windowStart} THEN 1 ELSE t."attempts" + 1 END,
      "window_started_at" = CASE WHEN t."window_started_at" <= ${windowStart} THEN ${now} ELSE t."window_started_at" END
    WHERE t."window_started_at" <= ${windowStart} OR t."attempts" < ${limit}
    RETURNING "attempts"`;
  return rows.length > 0;
}

async function givePlacesBack(db: Db, buckets: Bucket[]): Promise<void> {
  for (const bucket of buckets) {
    await db.$executeRaw`
      UPDATE "sign_in_throttles" SET "attempts" = GREATEST("attempts" - 1, 0)
      WHERE "kind" = ${bucket.kind} AND "key" = ${bucket.key}`;
  }
}

async function windowEnd(db: Db, bucket: Bucket, now: Date): Promise<Date> {
  const row = await db.signInThrottle.findUnique({ where: { kind_key: { kind: bucket.kind, key: bucket.key } }, select: { windowStartedAt: true } });
  return new Date((row?.windowStartedAt ?? now).getTime() + THROTTLE_WINDOW_MS);
}

/** Windows long over carry no information: dropped now and then so the table stays small. */
export async function pruneSignInThrottles(db: Db, now: Date = new Date()): Promise<number> {
  const { count } = await db.signInThrottle.deleteMany({ where: { windowStartedAt: { lt: new Date(now.getTime() - 24 * 60 * 60 * 1000) } } });
  return count;
}
