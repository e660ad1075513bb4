import 'server-only';
import { Redis } from 'ioredis';
import { getConfig } from '@/lib/server/config';

/** A token bucket: `capacity` requests at once, refilled at `capacity` per `periodSeconds`. */
export type RateRule = { capacity: number; periodSeconds: number };

export type RateDecision = { isAllowed: true; remaining: number } | { isAllowed: false; remaining: 0; retryAfterSeconds: number };

export interface RateLimiter {
  readonly store: 'memory' | 'redis';
  /** Takes one token from the bucket `key`, or says how long until one is back. */
  take(key: string, rule: RateRule): Promise<RateDecision>;
  close(): Promise<void>;
}

function refillPerMs(rule: RateRule): number {
  return rule.capacity / (rule.periodSeconds * 1000);
}

/** One process's buckets: right for a single instance (the embedded default), wrong behind a load balancer. */
export class MemoryRateLimiter implements RateLimiter {
  readonly store = 'memory' as const;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  async take(key: string, rule: RateRule): Promise<RateDecision> {
    const now = this.now();
    const rate = refillPerMs(rule);
    const bucket = this.buckets.get(key) ?? { tokens: rule.capacity, at: now };
    const tokens = Math.min(rule.capacity, bucket.tokens + Math.max(0, now - bucket.at) * rate);
    if (tokens >= 1) {
      this.buckets.set(key, { tokens: tokens - 1, at: now });
      return { isAllowed: true, remaining: Math.floor(tokens - 1) };
    }
    this.buckets.set(key, { tokens, at: now });
    return { isAllowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / rate / 1000)) };
  }

  async close(): Promise<void> {
    this.buckets.clear();
  }
}

// The whole read-refill-take-write in one script, so concurrent requests on different instances can
// never both spend the last token. Time is Redis's own clock (TIME), not each instance's, so skewed
// application servers still agree on one refill rate. The key expires once a full bucket would have
// refilled, so idle clients cost nothing.
const TAKE_TOKEN_SCRIPT = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1])
local at = tonumber(bucket[2])
if tokens == nil or at == nil then tokens = capacity; at = now end
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate) + 1000)
return { allowed, math.floor(tokens), wait }
`;

type TakeTokenRedis = Redis & { rfrTakeToken(key: string, capacity: string, rate: string): Promise<[number, number, number]> };

/** Buckets in Redis, shared by every instance pointed at the same server. */
export class RedisRateLimiter implements RateLimiter {
  readonly store = 'redis' as const;
  private readonly redis: TakeTokenRedis;

  constructor(url: string, private readonly prefix = 'rfr:api-rate:') {
    // No offline queue: with Redis down a request is refused at once (fail closed) rather than held.
    const redis = new Redis(url, { lazyConnect: false, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
    redis.on('error', () => {
      // Reported to the caller of take(); without a listener ioredis would log every reconnect attempt.
    });
    redis.defineCommand('rfrTakeToken', { numberOfKeys: 1, lua: TAKE_TOKEN_SCRIPT });
    this.redis = redis as TakeTokenRedis;
  }

  /** Resolves once connected, or rejects with why not. */
  async ready(timeoutMs = 2_000): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
      this.redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
      this.redis.once('error', (error: Error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  async take(key: string, rule: RateRule): Promise<RateDecision> {
    // Without an offline queue a command sent while (re)connecting fails at once: wait for the
    // connection first, for at most ready()'s timeout.
    if (this.redis.status !== 'ready') await this.ready();
    const rate = refillPerMs(rule);
    const [allowed, remaining, waitMs] = await this.redis.rfrTakeToken(this.prefix + key, String(rule.capacity), String(rate));
    if (allowed === 1) return { isAllowed: true, remaining };
    return { isAllowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

const holder = globalThis as typeof globalThis & { __rfrApiRateLimiter?: RateLimiter };

/** Redis when REDIS_URL is set (every instance shares one budget per client), otherwise this process's memory. */
export function getRateLimiter(): RateLimiter {
  const { redisUrl } = getConfig();
  holder.__rfrApiRateLimiter ??= redisUrl ? new RedisRateLimiter(redisUrl) : new MemoryRateLimiter();
  return holder.__rfrApiRateLimiter;
}

/** `10/s`, `600/min`, `1000/h`: the CLI's and the console's way of writing a rate. */
export function parseRate(text: string): RateRule {
  const match = /^\s*(\d{1,6})\s*\/\s*(s|sec|second|m|min|minute|h|hour)\s*$/i.exec(text);
  if (!match) throw new Error(`"${text}" is not a rate: write it as 10/s, 600/min or 1000/h.`);
  const capacity = Number(match[1]);
  if (capacity < 1) throw new Error('A rate must allow at least one request.');
  const unit = match[2]!.toLowerCase();
  const periodSeconds = unit.startsWith('s') ? 1 : unit.startsWith('m') ? 60 : 3600;
  return { capacity, periodSeconds };
}

export function formatRate(rule: RateRule): string {
  return `${rule.capacity}/${rule.periodSeconds === 1 ? 's' : rule.periodSeconds === 60 ? 'min' : rule.periodSeconds === 3600 ? 'h' : `${rule.periodSeconds}s`}`;
}
