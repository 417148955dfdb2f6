import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/index.js';
import { backends } from '../support/databases.js';
import { startOidcIssuer, type OidcIssuer } from '../support/oidc-issuer.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/**
 * Broker deliveries authenticated by Knative Eventing's sender identity (authentication-oidc): the Broker's filter
 * sends each Trigger's delivery with a token the cluster's service account issuer signed for the Trigger's
 * ServiceAccount and the subscriber's audience. Here a real issuer on loopback (discovery + JWKS over HTTP) plays the
 * Kubernetes API server. Only a token of that issuer, for this Service's audience, from an allowed Trigger, and not
 * expired, delivers; anything else is 401 and changes nothing.
 */
const NAMESPACE = 'lakeplane';
const TRIGGER_SUBJECT = `system:serviceaccount:${NAMESPACE}:scheduler-table-commits-oidc-eventing.knative.dev-trigger`;
const AUDIENCE = 'lakeplane-scheduler';

describe.each(backends())('CloudEvent deliveries with a Knative sender identity on %s', (backend) => {
  let p: TestPlatform;
  let k8s: OidcIssuer;
  let elsewhere: OidcIssuer;
  let admin: string;
  let jobId: string;

  const runsOf = async () => (await p.call('GET', `/api/v1/runs?job=${jobId}`, { token: admin })).body.items as Array<{ triggerRef: string }>;
  const commitEvent = (id: string) => ({
    'ce-specversion': '1.0',
    'ce-id': id,
    'ce-source': '/lakeplane/catalog',
    'ce-type': 'io.lakeplane.catalog.table.committed.v1',
    'content-type': 'application/json',
  });
  const data = { warehouse: 'wh', namespace: ['sales'], name: 'orders', uuid: randomUUID() };
  const deliver = (id: string, token: string | undefined) =>
    p.call('POST', '/cloudevents/scheduler', {
      headers: { ...commitEvent(id), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(data),
    });

  beforeAll(async () => {
    k8s = await startOidcIssuer({ path: '', audience: AUDIENCE });
    elsewhere = await startOidcIssuer({ path: '', audience: AUDIENCE });
    p = await startPlatform(backend, {
      env: {
        LAKEPLANE_JOBS_RUNTIME: 'kubernetes',
        LAKEPLANE_KUBECONFIG: '/nonexistent/kubeconfig',
        LAKEPLANE_INGEST_OIDC_ISSUER: k8s.issuer,
        LAKEPLANE_INGEST_OIDC_AUDIENCES: `other-audience, ${AUDIENCE}`,
        LAKEPLANE_INGEST_OIDC_SUBJECTS: `system:serviceaccount:${NAMESPACE}:policies-*, ${TRIGGER_SUBJECT}`,
      },
    });
    admin = await p.adminToken();
    const job = await p.call('POST', '/api/v1/jobs', {
      token: admin,
      body: { name: 'on-orders', type: 'python', mainApplicationFile: 'local:///app.py', triggers: [{ on: 'catalog.table.committed', warehouse: 'wh' }] },
    });
    expect(job.status, JSON.stringify(job.body)).toBe(201);
    jobId = job.body.id;
  }, 60_000);
  afterAll(async () => {
    await p?.close();
    await k8s?.close();
    await elsewhere?.close();
  });

  it('accepts a delivery whose token the issuer signed for this audience and an allowed Trigger, once', async () => {
    const id = randomUUID();
    const token = await k8s.mint({ sub: TRIGGER_SUBJECT });
    const first = await deliver(id, token);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ id, outcome: 'handled' });
    expect((await deliver(id, token)).body.outcome).toBe('duplicate');
    expect((await runsOf()).map((r) => r.triggerRef)).toContain(`/lakeplane/catalog#${id}`);
    // Found by discovery, as any OIDC issuer; a prefix entry admits the Triggers it names.
    expect(k8s.requests.discovery).toBeGreaterThanOrEqual(1);
    const byPrefix = await deliver(
      randomUUID(),
      await k8s.mint({ sub: `system:serviceaccount:${NAMESPACE}:policies-changes-oidc-eventing.knative.dev-trigger` }),
    );
    expect(byPrefix.status, JSON.stringify(byPrefix.body)).toBe(200);
  });

  const refusals: Array<[string, () => Promise<string | undefined>, RegExp]> = [
    ['no token', async () => undefined, /sender identity token or a platform credential/],
    ['a token for another audience', () => k8s.mint({ sub: TRIGGER_SUBJECT }, { audience: 'lakeplane-iam' }), /aud/],
    ['a token from another issuer', () => elsewhere.mint({ sub: TRIGGER_SUBJECT }), /issuer/],
    [
      'a token naming the issuer but signed with another key',
      async () => k8s.mint({ sub: TRIGGER_SUBJECT }, { signWith: (await generateKeyPair('RS256')).privateKey }),
      /not valid/,
    ],
    ['an expired token', () => k8s.mint({ sub: TRIGGER_SUBJECT }, { expiresIn: -120 }), /expired/],
    ['a token of another service account', () => k8s.mint({ sub: `system:serviceaccount:${NAMESPACE}:default` }), /not allowed/],
    [
      "a token of another namespace's Trigger",
      () => k8s.mint({ sub: `system:serviceaccount:intruders:scheduler-table-commits-oidc-eventing.knative.dev-trigger` }),
      /not allowed/,
    ],
    ['a token without a subject', () => k8s.mint({}), /sub/],
  ];
  it.each(refusals)('refuses %s with 401 and changes nothing', async (_what, token, message) => {
    const id = randomUUID();
    const before = (await runsOf()).length;
    const refused = await deliver(id, await token());
    expect(refused.status, JSON.stringify(refused.body)).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(refused.body.detail).toMatch(message);
    expect((await runsOf()).length).toBe(before);
    // Nothing was recorded of the event: the same event, delivered properly, is new.
    const proper = await deliver(id, await k8s.mint({ sub: TRIGGER_SUBJECT }));
    expect(proper.body.outcome).toBe('handled');
  });

  it('accepts a platform principal allowed to ingest events, and refuses one that is not', async () => {
    expect((await deliver(randomUUID(), admin)).status).toBe(200);
    expect((await p.call('POST', '/api/v1/users', { token: admin, body: { username: 'eve', password: 'eve-password-123' } })).status).toBe(201);
    const eve = (await p.login('eve', 'eve-password-123')).body.access_token as string;
    const before = (await runsOf()).length;
    const refused = await deliver(randomUUID(), eve);
    expect(refused.status, JSON.stringify(refused.body)).toBe(403);
    expect((await runsOf()).length).toBe(before);
  });
});

describe.each(backends())('anonymous CloudEvent deliveries on %s', (backend) => {
  let p: TestPlatform;

  beforeAll(async () => {
    p = await startPlatform(backend, { env: { LAKEPLANE_INGEST_ALLOW_ANONYMOUS: 'true', LAKEPLANE_INGEST_CLUSTER_LOCAL: 'true' } });
  }, 60_000);
  afterAll(async () => p?.close());

  const ping = (headers: Record<string, string> = {}) =>
    p.call('POST', '/cloudevents/scheduler', {
      headers: {
        'ce-specversion': '1.0',
        'ce-id': randomUUID(),
        'ce-source': '/apis/v1/namespaces/lakeplane/pingsources/outbox',
        'ce-type': 'dev.knative.sources.ping',
        'content-type': 'application/json',
        ...headers,
      },
      body: '{}',
    });

  it('takes a delivery without a credential where the process is cluster-local and asked for it', async () => {
    const r = await ping();
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.outcome).toBe('handled');
  });

  it('still refuses a credential that does not verify, rather than falling back to anonymous', async () => {
    const r = await ping({ authorization: 'Bearer not-a-token' });
    expect(r.status, JSON.stringify(r.body)).toBe(401);
  });
});

describe('who may deliver events is said completely, or the process does not start', () => {
  it('refuses anonymous deliveries unless the process declares itself cluster-local', () => {
    expect(() => loadConfig({ LAKEPLANE_INGEST_ALLOW_ANONYMOUS: 'true' })).toThrow(
      /LAKEPLANE_INGEST_ALLOW_ANONYMOUS=true needs LAKEPLANE_INGEST_CLUSTER_LOCAL=true/,
    );
    expect(loadConfig({ LAKEPLANE_INGEST_ALLOW_ANONYMOUS: 'true', LAKEPLANE_INGEST_CLUSTER_LOCAL: 'true' })).toMatchObject({
      LAKEPLANE_INGEST_ALLOW_ANONYMOUS: true,
      LAKEPLANE_INGEST_CLUSTER_LOCAL: true,
    });
  });

  it('refuses a sender issuer without audiences and subjects, and sender settings without an issuer', () => {
    const issuer = 'https://kubernetes.default.svc.cluster.local';
    expect(() => loadConfig({ LAKEPLANE_INGEST_OIDC_ISSUER: issuer })).toThrow(/needs LAKEPLANE_INGEST_OIDC_AUDIENCES and LAKEPLANE_INGEST_OIDC_SUBJECTS/);
    expect(() => loadConfig({ LAKEPLANE_INGEST_OIDC_ISSUER: issuer, LAKEPLANE_INGEST_OIDC_AUDIENCES: 'a', LAKEPLANE_INGEST_OIDC_SUBJECTS: ' , ' })).toThrow(
      /needs LAKEPLANE_INGEST_OIDC_SUBJECTS/,
    );
    expect(() => loadConfig({ LAKEPLANE_INGEST_OIDC_AUDIENCES: 'a' })).toThrow(
      /LAKEPLANE_INGEST_OIDC_AUDIENCES has no effect without LAKEPLANE_INGEST_OIDC_ISSUER/,
    );
    expect(() => loadConfig({ LAKEPLANE_INGEST_OIDC_ISSUER: 'not a url', LAKEPLANE_INGEST_OIDC_AUDIENCES: 'a', LAKEPLANE_INGEST_OIDC_SUBJECTS: 'b' })).toThrow(
      /LAKEPLANE_INGEST_OIDC_ISSUER must be a uri/,
    );
  });

  it('the server exits with the message when anonymous deliveries are asked for outside the cluster', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/serve.ts'], {
      cwd: root,
      env: { ...process.env, LAKEPLANE_INGEST_ALLOW_ANONYMOUS: 'true', LAKEPLANE_DATA_DIR: 'memory://', PORT: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/LAKEPLANE_INGEST_ALLOW_ANONYMOUS=true needs LAKEPLANE_INGEST_CLUSTER_LOCAL=true/);
  });
});
