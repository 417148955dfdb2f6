import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOpa } from '../../scripts/policy-sources.mjs';
import { missingPrerequisite } from '../support/prerequisites.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/**
 * Control policy bundles through real HTTP: upload (a bundle, or Rego compiled by the real OPA CLI on the server),
 * validation, activation that every decision sees whole, a live swap under concurrent requests, and rollback.
 */
const root = path.resolve(import.meta.dirname, '../..');
const opa = findOpa();
if (!opa) missingPrerequisite('the control bundle tests', 'no opa binary (go install github.com/open-policy-agent/opa@v1.22.2; CI does)');
const rego = readFileSync(path.join(root, 'functions/policies/rego/control.rego'), 'utf8');
const STRICT = { limits: { member_token_max_days: 7, max_executors: 10 } };

describe.skipIf(!opa)('control policy bundles', () => {
  let p: TestPlatform;
  let admin: string;
  let ada: string;
  let adaId: string;
  const savedOpa = process.env['LAKEPLANE_OPA'];

  beforeAll(async () => {
    process.env['LAKEPLANE_OPA'] = opa!;
    p = await startPlatform('pglite', { env: { LAKEPLANE_OPA_DATA_API_ANONYMOUS: 'true' } });
    admin = await p.adminToken();
    const user = await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'ada', password: 'ada-password-123' } });
    adaId = user.body.id;
    ada = (await p.login('ada', 'ada-password-123')).body.access_token;
  }, 60_000);
  afterAll(async () => {
    if (savedOpa === undefined) delete process.env['LAKEPLANE_OPA'];
    else process.env['LAKEPLANE_OPA'] = savedOpa;
    await p?.close();
  });

  const call = (method: string, url: string, body?: unknown, token = admin) => p.call(method, url, { token, ...(body !== undefined ? { body } : {}) });
  const memberToken30 = {
    principal: { kind: 'user', id: 'u-1', name: 'ada', isAdmin: false, groups: [] },
    action: 'iam:tokens:create',
    resource: 'iam/users/u-1/tokens',
    request: { expiresInDays: 30 },
  };

  function opaBuild(entrypoints: string[], data: unknown): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-bundle-'));
    try {
      writeFileSync(path.join(dir, 'policy.rego'), rego);
      writeFileSync(path.join(dir, 'data.json'), JSON.stringify(data));
      execFileSync(opa!, ['build', '-t', 'wasm', ...entrypoints.flatMap((e) => ['-e', e]), '-o', 'b.tar.gz', 'policy.rego', 'data.json'], {
        cwd: dir,
        stdio: 'pipe',
      });
      return readFileSync(path.join(dir, 'b.tar.gz')).toString('base64');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('refuses what is not a working bundle, with 400 naming the field, and stores nothing', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ bundle: 'not base64!' }, 'bundle', /base64/],
      [{ bundle: Buffer.from('garbage garbage').toString('base64') }, 'bundle', /not a gzipped tar/],
      [{ bundle: opaBuild(['lakeplane/control/allow'], STRICT) }, 'bundle', /entrypoint lakeplane\/control\/reasons is missing/],
      [{ rego: 'package lakeplane.control\nallow if {' }, 'rego', /does not compile/],
      [{ bundle: opaBuild(['lakeplane/control/allow', 'lakeplane/control/reasons'], STRICT), rego }, 'bundle', /either bundle .* or rego/],
    ];
    for (const [body, field, message] of cases) {
      const r = await call('POST', '/api/v1/control-policies/bundles', body);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      const problem = r.body.errors.find((e: { field: string }) => e.field === field);
      expect(problem?.message, JSON.stringify(r.body.errors)).toMatch(message);
    }
    expect((await call('GET', '/api/v1/control-policies/bundles')).body).toEqual({ items: [], active: 'shipped' });
    // Members may not upload at all.
    expect((await call('POST', '/api/v1/control-policies/bundles', { rego }, ada)).status).toBe(403);
  });

  it('without an opa binary on the server, Rego is a 422 that says how to compile it', async () => {
    process.env['LAKEPLANE_OPA'] = '/nonexistent/opa';
    try {
      const r = await call('POST', '/api/v1/control-policies/bundles', { rego });
      expect(r.status).toBe(422);
      expect(r.body.detail).toMatch(/opa build -t wasm -e lakeplane\/control\/allow/);
    } finally {
      process.env['LAKEPLANE_OPA'] = opa!;
    }
  });

  it('uploads, activates, swaps live under concurrent requests with no failed or mixed decision, and rolls back', async () => {
    const uploaded = await call('POST', '/api/v1/control-policies/bundles', { rego, data: STRICT, description: 'tokens for a week' });
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
    expect(uploaded.body).toMatchObject({ version: 1, active: false, description: 'tokens for a week' });
    const decide = () => call('POST', '/api/v1/control-policies/decide', memberToken30);
    expect((await decide()).body).toMatchObject({ allowed: true, bundle: 'shipped' });

    // Decisions keep flowing while the bundle is activated and rolled back, twice.
    const answers: Array<{ status: number; body: any }> = [];
    let stop = false;
    const load = Promise.all(
      Array.from({ length: 8 }, async () => {
        while (!stop) answers.push(await decide());
      }),
    );
    for (let i = 0; i < 2; i++) {
      expect((await call('POST', `/api/v1/control-policies/bundles/${uploaded.body.id}/activate`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 150));
      expect((await call('POST', '/api/v1/control-policies/rollback')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 150));
    }
    stop = true;
    await load;
    expect(answers.length).toBeGreaterThan(20);
    for (const a of answers) {
      expect(a.status).toBe(200);
      // Every answer is wholly one bundle's: the shipped one allows 30 days, the uploaded one does not.
      expect(a.body.allowed).toBe(a.body.bundle === 'shipped');
      if (!a.body.allowed) expect(a.body.reasons).toEqual(['tokens of non-admins last at most 7 days']);
    }
    expect(new Set(answers.map((a) => a.body.bundle))).toEqual(new Set(['shipped', uploaded.body.id]));

    // In force on the platform API itself.
    expect((await call('POST', `/api/v1/control-policies/bundles/${uploaded.body.id}/activate`)).body).toMatchObject({
      active: uploaded.body.id,
      kind: 'activate',
    });
    const refused = await call('POST', '/api/v1/tokens', { name: 'month', expiresInDays: 30 }, ada);
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/at most 7 days/);
    expect((await call('POST', '/api/v1/tokens', { name: 'week', expiresInDays: 7 }, ada)).status).toBe(201);
    expect((await call('GET', '/api/v1/control-policies/bundles')).body).toMatchObject({
      active: uploaded.body.id,
      items: [{ id: uploaded.body.id, active: true }],
    });

    const back = await call('POST', '/api/v1/control-policies/rollback');
    expect(back.body).toMatchObject({ active: 'shipped', kind: 'rollback' });
    expect((await call('POST', '/api/v1/tokens', { name: 'month', expiresInDays: 30 }, ada)).status).toBe(201);
    const history = (await call('GET', '/api/v1/control-policies/activations')).body.items.map(
      (h: any) => `${h.kind} ${h.bundleId === 'shipped' ? 'shipped' : 'uploaded'}`,
    );
    expect(history.slice(0, 2)).toEqual(['rollback shipped', 'activate uploaded']);
    expect(adaId).toBeTruthy();
  }, 60_000);

  it('a bundle governs Trino too: its questions about running queries are answered by the bundle in force', async () => {
    const executeQuery = async (groups: string[]) => {
      const r = await p.call('POST', '/v1/data/trino/allow', {
        body: { input: { context: { identity: { user: 'cory', groups } }, action: { operation: 'ExecuteQuery' } } },
      });
      expect(r.status).toBe(200);
      return r.body.result;
    };
    expect(await executeQuery(['contractors'])).toBe(true);
    const noContractors = `${rego}
reasons contains "contractors may not run queries in Trino" if {
	input.action == "trino:ExecuteQuery"
	"contractors" in input.principal.groups
}
`;
    const uploaded = await call('POST', '/api/v1/control-policies/bundles', {
      rego: noContractors,
      data: JSON.parse(readFileSync(path.join(root, 'functions/policies/rego/data.json'), 'utf8')),
      description: 'no contractors in Trino',
    });
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
    expect((await call('POST', `/api/v1/control-policies/bundles/${uploaded.body.id}/activate`)).status).toBe(200);
    expect(await executeQuery(['contractors'])).toBe(false);
    expect(await executeQuery(['analysts'])).toBe(true);
    expect((await call('POST', '/api/v1/control-policies/rollback')).status).toBe(200);
    expect(await executeQuery(['contractors'])).toBe(true);
  }, 60_000);
});
