import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnTsx, type TsxChild } from '../support/child.js';
import { createScratchDatabase } from '../support/databases.js';

/**
 * LAKEPLANE_ADMIN_PASSWORD sets the admin's password on the first start only. A later start with another value used
 * to ignore it without a word; now its log says, once, that the admin exists and the variable was not applied. Real
 * starts of bin/serve.ts (as `npm start`), read through their JSON logs.
 */
const FIRST = 'the-first-admin-password';
const CHANGED = 'a-changed-admin-password';
const NOT_APPLIED = /^LAKEPLANE_ADMIN_PASSWORD was not applied: the admin user "admin" already exists/;

describe('a changed LAKEPLANE_ADMIN_PASSWORD on a later start', () => {
  let root: string;
  let scratch: { url: string; drop(): Promise<void> } | undefined;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'lakeplane-admin-password-'));
    scratch = process.env['DATABASE_URL'] ? await createScratchDatabase() : undefined;
  }, 60_000);
  afterAll(async () => {
    await scratch?.drop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /**
   * Starts the server with that password, waits until its log has `awaited` (the check runs after the start, off its
   * path), and answers its log and whether each password logs in.
   */
  async function start(
    password: string,
    awaited: (m: Record<string, unknown>) => boolean,
  ): Promise<{ logs: ReadonlyArray<Record<string, unknown>>; logsIn: (p: string) => Promise<number> }> {
    const server: TsxChild = spawnTsx('bin/serve.ts', {
      LAKEPLANE_MODE: 'embedded',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: scratch?.url ?? '',
      LAKEPLANE_DATA_DIR: path.join(root, 'data'),
      LAKEPLANE_ADMIN_PASSWORD: password,
      LAKEPLANE_LOG_LEVEL: 'debug',
    });
    try {
      const url = (await server.message((m) => m['msg'] === 'lakeplane listening', 180_000))['url'] as string;
      await server.message(awaited, 60_000);
      const statuses = new Map<string, number>();
      for (const p of [FIRST, CHANGED]) {
        const r = await fetch(`${url}/api/v1/auth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'password', username: 'admin', password: p }).toString(),
        });
        statuses.set(p, r.status);
      }
      return { logs: server.messages(), logsIn: async (p) => statuses.get(p)! };
    } finally {
      server.process.kill('SIGTERM');
      await server.exited;
    }
  }

  const notApplied = (logs: ReadonlyArray<Record<string, unknown>>) => logs.filter((m) => NOT_APPLIED.test(String(m['msg'])));

  it('the first start creates the admin with it; the same value later is quiet; another value is not applied, and the log says so once', async () => {
    const created = (m: Record<string, unknown>) => m['msg'] === 'admin user created';
    const first = await start(FIRST, created);
    expect(first.logs.find(created)).toMatchObject({ passwordFrom: 'LAKEPLANE_ADMIN_PASSWORD' });
    expect(notApplied(first.logs)).toEqual([]);

    const same = await start(FIRST, (m) => m['msg'] === 'LAKEPLANE_ADMIN_PASSWORD is the admin password already');
    expect(same.logs.some(created)).toBe(false);
    expect(notApplied(same.logs)).toEqual([]);

    const changed = await start(CHANGED, (m) => NOT_APPLIED.test(String(m['msg'])));
    const warnings = notApplied(changed.logs);
    expect(warnings).toHaveLength(1);
    // A warning, naming the user and how to change the password.
    expect(warnings[0]).toMatchObject({ level: 'warn', username: 'admin', adminExists: true });
    expect(String(warnings[0]!['msg'])).toContain('PATCH /api/v1/users/{id}');
    // And indeed: the old password still logs in, the new one does not.
    expect(await changed.logsIn(FIRST)).toBe(200);
    expect(await changed.logsIn(CHANGED)).toBe(400);
  }, 600_000);
});
