import { describe, expect, it } from 'vitest';
import { readConfig } from '@/lib/server/config';

describe('readConfig', () => {
  it('defaults to the embedded stores in ./data on port 3000', () => {
    const config = readConfig({});
    expect(config.dataDir).toMatch(/\/data$/);
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.qdrant).toBeUndefined();
  });

  it('reads PostgreSQL and Qdrant settings', () => {
    const config = readConfig({
      DATA_DIR: '/tmp/x',
      PORT: '4000',
      DATABASE_URL: 'postgres://u@h:5432/db',
      QDRANT_URL: 'http://q:6333',
      QDRANT_SHARDS: '3',
    });
    expect(config).toMatchObject({ dataDir: '/tmp/x', port: 4000, databaseUrl: 'postgres://u@h:5432/db' });
    expect(config.qdrant).toMatchObject({ url: 'http://q:6333', shards: 3, replicationFactor: 1 });
  });

  it('names every invalid setting in one error', () => {
    expect(() => readConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x' })).toThrow(/PORT[\s\S]*DATABASE_URL/);
  });

  it('treats empty variables as unset', () => {
    expect(readConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });
});
