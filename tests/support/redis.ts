import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Whether the machine's Redis answers. Missing, the Redis tests skip with a message, unless
 * REQUIRE_REDIS=1 (as in CI: .ci/run), where a missing server is a failure.
 */
export async function redisAnswers(url = TEST_REDIS_URL): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 1_500, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch (error) {
    const message = `Redis not reachable at ${url}: ${(error as Error).message}`;
    if (process.env.REQUIRE_REDIS === '1') throw new Error(message);
    console.warn(`[skip] ${message} — Redis rate-limit tests skipped (set REQUIRE_REDIS=1 to fail instead).`);
    return false;
  } finally {
    redis.disconnect();
  }
}
