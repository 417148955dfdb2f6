import { readFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigSchema, loadConfig } from '../../shared/config/index.js';

const root = path.resolve(import.meta.dirname, '../..');

describe('configuration', () => {
  it('has defaults for a fresh machine', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      LAKEPLANE_MODE: 'embedded',
      PORT: 8080,
      LAKEPLANE_DATA_DIR: './.lakeplane',
      LAKEPLANE_MIGRATE_ON_START: true,
      issuer: 'http://localhost:8080',
    });
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT must be integer/);
    expect(() => loadConfig({ LAKEPLANE_MODE: 'cloud' })).toThrow(/LAKEPLANE_MODE/);
    expect(() => loadConfig({ LAKEPLANE_ADMIN_PASSWORD: 'short' })).toThrow(/LAKEPLANE_ADMIN_PASSWORD must NOT have fewer than 12 characters/);
    expect(() => loadConfig({ LAKEPLANE_MODE: 'cluster' })).toThrow(/DATABASE_URL is required/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ LAKEPLANE_ISSUER: 'not a url' })).toThrow(/LAKEPLANE_ISSUER must be a uri/);
    expect(() => loadConfig({ LAKEPLANE_INGEST_ALLOW_ANONYMOUS: 'maybe' })).toThrow(/LAKEPLANE_INGEST_ALLOW_ANONYMOUS must be boolean/);
    expect(() => loadConfig({ LAKEPLANE_MODE: 'cloud', PORT: '-1' })).toThrow(/LAKEPLANE_MODE must be one of: embedded, cluster; PORT must be >= 0/);
  });

  it('turns text into the types the variables have', () => {
    const c = loadConfig({
      PORT: '9090',
      LAKEPLANE_INGEST_ALLOW_ANONYMOUS: 'true',
      LAKEPLANE_INGEST_CLUSTER_LOCAL: 'true',
      LAKEPLANE_MIGRATE_ON_START: 'false',
      LAKEPLANE_ISSUER: 'https://lakeplane.example.com/',
    });
    expect(c).toMatchObject({ PORT: 9090, LAKEPLANE_INGEST_ALLOW_ANONYMOUS: true, LAKEPLANE_MIGRATE_ON_START: false, issuer: 'https://lakeplane.example.com' });
  });

  it('a bad value stops startup with that message and a non-zero exit', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/serve.ts'], {
      cwd: root,
      env: { ...process.env, PORT: '99999', LAKEPLANE_DATA_DIR: 'memory://' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Invalid configuration: PORT must be <= 65535/);
  });

  it('every variable is documented in the README', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    for (const name of Object.keys(ConfigSchema.properties)) expect(readme, name).toContain(`\`${name}\``);
  });
});
