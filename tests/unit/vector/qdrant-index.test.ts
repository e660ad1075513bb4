import { QdrantClientTimeoutError } from '@qdrant/js-client-rest';
import { describe, expect, it } from 'vitest';
import { toVectorIndexError, watchlistFilter } from '@/lib/server/vector/qdrant-index';

describe('watchlistFilter', () => {
  it('matches one watch-list by value and several with any', () => {
    expect(watchlistFilter(['a'])).toEqual({ must: [{ key: 'watchlistId', match: { value: 'a' } }] });
    expect(watchlistFilter(['a', 'b'])).toEqual({ must: [{ key: 'watchlistId', match: { any: ['a', 'b'] } }] });
  });
});

describe('toVectorIndexError', () => {
  const withStatus = (status: number) => Object.assign(new Error('http'), { status });
  it.each([
    [withStatus(404), 'UNKNOWN_COLLECTION'],
    [withStatus(400), 'INVALID_INPUT'],
    [withStatus(503), 'UNAVAILABLE'],
    [new TypeError('fetch failed'), 'UNAVAILABLE'],
    [new QdrantClientTimeoutError('slow'), 'UNAVAILABLE'],
  ])('maps %s to %s', (error, reason) => {
    expect(toVectorIndexError(error, 'model').reason).toBe(reason);
  });
});
