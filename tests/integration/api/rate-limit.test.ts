import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryRateLimiter, parseRate, RedisRateLimiter } from '@/lib/server/api/rate-limit';
import { redisAnswers, TEST_REDIS_URL } from '../../support/redis';

describe('token bucket in memory', () => {
  it('allows the burst, refuses the next with the wait, and refills at the rate', async () => {
    let now = 1_000_000;
    const limiter = new MemoryRateLimiter(() => now);
    const rule = parseRate('5/s');
    const taken = await Promise.all(Array.from({ length: 5 }, () => limiter.take('client', rule)));
    expect(taken.every((decision) => decision.isAllowed)).toBe(true);
    const refused = await limiter.take('client', rule);
    expect(refused).toEqual({ isAllowed: false, remaining: 0, retryAfterSeconds: 1 });
    now += 400; // 2 tokens back at 5 per second
    expect((await limiter.take('client', rule)).isAllowed).toBe(true);
    expect((await limiter.take('client', rule)).isAllowed).toBe(true);
    expect((await limiter.take('client', rule)).isAllowed).toBe(false);
    // Another client has its own bucket.
    expect((await limiter.take('other', rule)).isAllowed).toBe(true);
  });

  it('says how long a slow rate makes the client wait', async () => {
    const now = 0;
    const limiter = new MemoryRateLimiter(() => now);
    const rule = parseRate('2/min');
    await limiter.take('c', rule);
    await limiter.take('c', rule);
    const refused = await limiter.take('c', rule);
    expect(refused.isAllowed).toBe(false);
    expect(!refused.isAllowed && refused.retryAfterSeconds).toBe(30);
  });

  it('reads rates as the CLI writes them, and refuses anything else', () => {
    expect(parseRate('10/s')).toEqual({ capacity: 10, periodSeconds: 1 });
    expect(parseRate('600/min')).toEqual({ capacity: 600, periodSeconds: 60 });
    expect(parseRate('1000/h')).toEqual({ capacity: 1000, periodSeconds: 3600 });
    expect(() => parseRate('fast')).toThrow(/not a rate/);
    expect(() => parseRate('0/s')).toThrow(/at least one/);
  });
});

describe('token bucket in Redis (the machine’s real server)', async () => {
  const isAvailable = await redisAnswers();
  let first: RedisRateLimiter;
  let second: RedisRateLimiter;
  const prefix = `rfr-test:${randomUUID()}:`;

  beforeAll(async () => {
    if (!isAvailable) return;
    // Two limiters on two connections: two application instances sharing one budget.
    first = new RedisRateLimiter(TEST_REDIS_URL, prefix);
    second = new RedisRateLimiter(TEST_REDIS_URL, prefix);
    await Promise.all([first.ready(), second.ready()]);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it.skipIf(!isAvailable)('shares one budget between instances: of 40 concurrent requests on two instances exactly the burst passes', async () => {
    const rule = { capacity: 10, periodSeconds: 60 };
    const decisions = await Promise.all(Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? first : second).take('shared', rule)));
    expect(decisions.filter((decision) => decision.isAllowed)).toHaveLength(10);
    const refused = decisions.find((decision) => !decision.isAllowed);
    expect(refused && !refused.isAllowed && refused.retryAfterSeconds).toBe(6);
  });

  it.skipIf(!isAvailable)('refills at the rate on Redis’s clock', async () => {
    const rule = { capacity: 2, periodSeconds: 1 };
    expect((await first.take('refill', rule)).isAllowed).toBe(true);
    expect((await second.take('refill', rule)).isAllowed).toBe(true);
    expect((await first.take('refill', rule)).isAllowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 650)); // 1.3 tokens back
    expect((await second.take('refill', rule)).isAllowed).toBe(true);
    expect((await first.take('refill', rule)).isAllowed).toBe(false);
  });

  it.skipIf(!isAvailable)('rejects when Redis cannot be reached, so the caller fails closed', async () => {
    const unreachable = new RedisRateLimiter('redis://127.0.0.1:1', prefix);
    await expect(unreachable.take('x', { capacity: 1, periodSeconds: 1 })).rejects.toThrow();
    await unreachable.close();
  });
});
