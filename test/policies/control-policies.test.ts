import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPolicyEngine, type ControlInput } from '../../shared/policy/control/control-engine.js';
import { DEFAULT_CONTROL_BUNDLE } from '../../shared/policy/control/default-bundle.generated.js';
import { BundleError, readOpaBundle } from '../../shared/policy/control/opa-bundle.js';
import { controlSourcesDigest, findOpa, OPA_BUILD_ARGS, REGO_DIR } from '../../scripts/policy-sources.mjs';
import { missingPrerequisite } from '../support/prerequisites.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/** The control policies: Rego compiled to wasm by OPA's CLI, evaluated in process, in force on the platform API. */
const root = path.resolve(import.meta.dirname, '../..');
const shipped = Buffer.from(DEFAULT_CONTROL_BUNDLE.base64, 'base64');
const opa = findOpa();
if (!opa)
  missingPrerequisite('rebuilding the control policies with the real OPA CLI', 'no opa binary (go install github.com/open-policy-agent/opa@v1.22.2; CI does)');

const member = { kind: 'user', id: '11111111-1111-4111-8111-111111111111', name: 'ada', isAdmin: false, groups: ['analysts'] };
const admin = { ...member, id: '22222222-2222-4222-8222-222222222222', name: 'root', isAdmin: true };
const ask = (principal: ControlInput['principal'], action: string, resource: string, request: Record<string, unknown> = {}): ControlInput => ({
  principal,
  action,
  resource,
  request,
});

describe('the shipped control bundle', () => {
  it('was built from the Rego sources as they are now', () => {
    expect(DEFAULT_CONTROL_BUNDLE.sourcesDigest, `${REGO_DIR} changed since the bundle was built: run npm run build:policies`).toBe(controlSourcesDigest(root));
  });

  it.skipIf(!opa)('is what OPA builds from them today, byte for byte (policy.wasm and data.json)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-opa-test-'));
    try {
      const out = path.join(dir, 'bundle.tar.gz');
      // The same relative path as the build script: the wasm carries the source paths.
      execFileSync(opa!, [...OPA_BUILD_ARGS, '-o', out, REGO_DIR], { stdio: 'pipe', cwd: root });
      const fresh = readOpaBundle(readFileSync(out));
      const committed = readOpaBundle(shipped);
      expect(Buffer.from(fresh.wasm).equals(Buffer.from(committed.wasm)), 'policy.wasm differs: run npm run build:policies').toBe(true);
      expect(fresh.data).toEqual(committed.data);
      expect(fresh.entrypoints).toEqual(committed.entrypoints);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("control decisions, evaluated by OPA's wasm runtime", () => {
  let engine: ControlPolicyEngine;
  beforeAll(async () => {
    engine = await ControlPolicyEngine.load(shipped);
  });

  it.each([
    ['an admin creates a warehouse', ask(admin, 'catalog:warehouse:create', 'catalog'), true],
    ['a member may not create a warehouse', ask(member, 'catalog:warehouse:create', 'catalog'), false],
    ['a member may not manage policies', ask(member, 'policies:policy:create', 'policies'), false],
    ['a member asks who they are', ask(member, 'iam:me:read', 'iam/me'), true],
    ['a member reads their own record', ask(member, 'iam:users:read', `iam/users/${member.id}`), true],
    ['a member may not read someone else', ask(member, 'iam:users:read', `iam/users/${admin.id}`), false],
    ['a member lists their own tokens', ask(member, 'iam:tokens:list', `iam/users/${member.id}/tokens`), true],
    ["a member may not list another's tokens", ask(member, 'iam:tokens:list', `iam/users/${admin.id}/tokens`), false],
    ['a member mints a token that expires', ask(member, 'iam:tokens:create', `iam/users/${member.id}/tokens`, { expiresInDays: 30 }), true],
    ['a member may not mint a token without expiry', ask(member, 'iam:tokens:create', `iam/users/${member.id}/tokens`), false],
    ['a member may not mint a token past the limit', ask(member, 'iam:tokens:create', `iam/users/${member.id}/tokens`, { expiresInDays: 400 }), false],
    ['an admin mints a token without expiry', ask(admin, 'iam:tokens:create', `iam/users/${admin.id}/tokens`), true],
    ['an admin submits a job within the executor limit', ask(admin, 'jobs:runs:create', 'jobs/etl', { executors: 50 }), true],
    ['not even an admin submits a job past it', ask(admin, 'jobs:runs:create', 'jobs/etl', { executors: 51 }), false],
  ] as const)('%s', (_what, input, allowed) => {
    expect(engine.decide(input).allowed).toBe(allowed);
  });

  it('says why, when a rule says why', () => {
    expect(engine.decide(ask(member, 'iam:tokens:create', `iam/users/${member.id}/tokens`)).reasons).toEqual([
      'tokens of non-admins must expire: give expiresInDays (at most 365)',
    ]);
    expect(engine.decide(ask(admin, 'jobs:runs:create', 'jobs/etl', { executors: 80 })).reasons).toEqual(['a job may use at most 50 executors, not 80']);
    expect(engine.decide(ask(member, 'catalog:warehouse:create', 'catalog')).reasons).toEqual([]);
  });

  it('refuses a bundle that is not one, has no wasm, lacks the entrypoints, or whose wasm does not load', async () => {
    await expect(ControlPolicyEngine.load(Buffer.from('not a bundle'))).rejects.toThrow(/not a gzipped tar/);
    await expect(ControlPolicyEngine.load(gzipSync(Buffer.alloc(1024)))).rejects.toThrow(/no \/policy.wasm/);
    const tar = (name: string, body: Buffer) => {
      const header = Buffer.alloc(512);
      header.write(name, 0);
      header.write('0000644\0', 100);
      header.write('0000000\0', 108);
      header.write('0000000\0', 116);
      header.write(body.length.toString(8).padStart(11, '0') + '\0', 124);
      header.write('00000000000\0', 136);
      header.write('0', 156);
      header.write('        ', 148);
      let sum = 0;
      for (const b of header) sum += b;
      header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
      return Buffer.concat([header, body, Buffer.alloc(Math.ceil(body.length / 512) * 512 - body.length)]);
    };
    const manifest = (entrypoints: string[]) =>
      Buffer.from(JSON.stringify({ wasm: entrypoints.map((entrypoint) => ({ entrypoint, module: '/policy.wasm' })) }));
    const wasm = Buffer.from(readOpaBundle(shipped).wasm);
    const noEntrypoints = gzipSync(Buffer.concat([tar('.manifest', manifest(['example/allow'])), tar('policy.wasm', wasm), Buffer.alloc(1024)]));
    await expect(ControlPolicyEngine.load(noEntrypoints)).rejects.toThrow(/entrypoint lakeplane\/control\/allow is missing/);
    const badWasm = gzipSync(
      Buffer.concat([
        tar('.manifest', manifest(['lakeplane/control/allow', 'lakeplane/control/reasons'])),
        tar('policy.wasm', Buffer.from('garbage')),
        Buffer.alloc(1024),
      ]),
    );
    await expect(ControlPolicyEngine.load(badWasm)).rejects.toThrow(BundleError);
  });
});

describe('control policies in force on the platform API', () => {
  let p: TestPlatform;
  let ada: string;
  beforeAll(async () => {
    p = await startPlatform('pglite');
    const token = await p.adminToken();
    expect((await p.call('POST', '/api/v1/users', { token, body: { username: 'ada', password: 'ada-password-123' } })).status).toBe(201);
    ada = (await p.login('ada', 'ada-password-123')).body.access_token;
  }, 60_000);
  afterAll(async () => p?.close());

  it("a member's token must expire: refused with the reason, accepted with an expiry", async () => {
    const refused = await p.call('POST', '/api/v1/tokens', { token: ada, body: { name: 'forever' } });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/tokens of non-admins must expire/);
    expect((await p.call('GET', '/api/v1/tokens', { token: ada })).body.items).toEqual([]);
    expect((await p.call('POST', '/api/v1/tokens', { token: ada, body: { name: 'laptop', expiresInDays: 30 } })).status).toBe(201);
  });

  it('a member may not create a warehouse', async () => {
    const r = await p.call('POST', '/api/v1/warehouses', { token: ada, body: { name: 'mine', storageLocation: 'file:///tmp/mine' } });
    expect(r.status).toBe(403);
  });
});
