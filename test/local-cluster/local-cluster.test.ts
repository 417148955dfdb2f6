import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, stillRunning, type LocalCluster } from '../../bin/local-cluster/index.js';
import { functionNames } from '../../functions/registry.js';
import { createScratchDatabase } from '../support/databases.js';
import { isListening } from '../support/ports.js';
import { missingPrerequisite } from '../support/prerequisites.js';
import { waitFor } from '../support/wait.js';

const POLICY_CHANGED = 'io.lakeplane.policies.data-policy.changed.v1';
const PASSWORD = 'local-cluster-admin-pw';
const hasDatabase = Boolean(process.env['DATABASE_URL']);
if (!hasDatabase) missingPrerequisite('the local cluster suite', 'DATABASE_URL is not set (the functions run on PostgreSQL)');

/**
 * The platform as separate services on one machine (npm run start:cluster): one process per function on PostgreSQL,
 * the local Broker and PingSource of eventing/. Everything here goes over real HTTP to the functions' own ports.
 */
describe.skipIf(!hasDatabase)('the local cluster', () => {
  let db: Awaited<ReturnType<typeof createScratchDatabase>>;
  let cluster: LocalCluster;
  let stateDir: string;
  const reports: string[] = [];
  let token: string;

  const urlOf = (name: string) => cluster.functions.get(name)!;
  async function call(fn: string, method: string, route: string, body?: unknown) {
    const response = await fetch(`${urlOf(fn)}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as any) : undefined };
  }
  let policyCount = 0;
  const changePolicy = () =>
    call('policies', 'POST', '/api/v1/policies', {
      name: `readers ${++policyCount}`,
      resources: { warehouse: { values: ['wh'] }, namespace: { values: ['sales'] } },
      allow: [{ users: ['admin'], accesses: ['select'] }],
    });
  /** The ids of policy change events the Broker has taken in so far. */
  const policyEvents = () =>
    new Set(
      cluster.broker
        .deliveries()
        .filter((d) => d.eventType === POLICY_CHANGED)
        .map((d) => d.eventId),
    );
  /** Waits for a policy change event not in `known`, and answers its id. */
  const nextPolicyEvent = (known: Set<string>) =>
    waitFor('a new policy change event at the Broker', () => [...policyEvents()].find((id) => !known.has(id)), { timeoutMs: 30_000 });
  /** The Triggers that got an event with a 2xx. */
  const deliveredTo = (eventId: string) =>
    new Set(
      cluster.broker
        .deliveries()
        .filter((d) => d.eventId === eventId && d.status !== undefined && d.status < 300)
        .map((d) => d.trigger),
    );
  const triggersOf = (type: string) => new Set(cluster.eventing.triggers.filter((t) => t.filter['type'] === type || !t.filter['type']).map((t) => t.name));

  beforeAll(async () => {
    db = await createScratchDatabase();
    stateDir = mkdtempSync(path.join(tmpdir(), 'lakeplane-cluster-'));
    cluster = await startLocalCluster({
      databaseUrl: db.url,
      port: 0,
      stateDir,
      report: (line) => reports.push(line),
      shutdownGraceMs: 5_000,
      env: { LAKEPLANE_ADMIN_PASSWORD: PASSWORD, LAKEPLANE_LOG_LEVEL: 'warn', LAKEPLANE_EVENT_RETRY_BASE_MS: '500', LAKEPLANE_EVENT_POLL_MS: '500' },
    });
    const response = await fetch(`${urlOf('iam')}/api/v1/auth/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', username: 'admin', password: PASSWORD }),
    });
    expect(response.status).toBe(200);
    token = ((await response.json()) as { access_token: string }).access_token;
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
    await db?.drop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it('runs every function of the registry as its own process, on its own port, in cluster mode', async () => {
    expect([...cluster.functions.keys()].sort()).toEqual([...functionNames].sort());
    const ports = new Set([...cluster.functions.values()].map((u) => new URL(u).port));
    expect(ports.size).toBe(functionNames.length);
    for (const [name, url] of cluster.functions) {
      expect((await fetch(`${url}/readyz`)).status, name).toBe(200);
      expect(cluster.isRunning(name)).toBe(true);
    }
    // A token iam minted is good at every other function: one issuer for all.
    const jobs = await call('jobs', 'GET', '/api/v1/jobs');
    expect(jobs.status, JSON.stringify(jobs.body)).toBe(200);
    expect(readFileSync(path.join(cluster.logDir, 'migrate.log'), 'utf8')).toContain('migrations applied');
  });

  it('a policy change reaches every function that subscribes to it through the Broker, and only those Triggers', async () => {
    const known = policyEvents();
    const created = await changePolicy();
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = await nextPolicyEvent(known);
    const expected = triggersOf(POLICY_CHANGED);
    await waitFor('every policy Trigger delivered', () => deliveredTo(id).size === expected.size, { timeoutMs: 30_000 });
    expect(deliveredTo(id)).toEqual(expected);
    // Every function got it (webhooks through its take-everything Trigger), and no Trigger of another type fired.
    const subscribers = new Set(
      cluster.broker
        .deliveries()
        .filter((d) => d.eventId === id)
        .map((d) => new URL(d.subscriber).pathname),
    );
    expect(subscribers).toEqual(new Set(functionNames.map((n) => `/cloudevents/${n}`)));
    expect(cluster.broker.deliveries().filter((d) => d.eventId === id && !expected.has(d.trigger))).toEqual([]);
  }, 60_000);

  it("delivers the PingSource's minute tick to the ping Triggers, and each function accepts it", async () => {
    const [runner] = cluster.pingSources;
    expect(runner!.spec.name).toBe('outbox-tick');
    const tick = await waitFor('the first scheduled tick', () => runner!.ticks[0], { timeoutMs: 75_000, intervalMs: 500 });
    expect(tick.status).toBe(202);
    const expected = triggersOf('dev.knative.sources.ping');
    await waitFor('every ping Trigger delivered', () => deliveredTo(tick.id).size === expected.size, { timeoutMs: 30_000 });
    expect([...deliveredTo(tick.id)].sort()).toEqual([...expected].sort());
  }, 120_000);

  it('reports a crashed function in one line; the others keep serving; after a restart the Broker redelivers what it missed', async () => {
    // Killed from outside, as the kernel's OOM killer would: the launcher did not ask for it.
    process.kill(cluster.pidOf('jobs')!, 'SIGKILL');
    await waitFor('the crash report', () => reports.find((r) => r.includes('jobs exited unexpectedly')));
    expect(reports.filter((r) => r.includes('jobs exited unexpectedly'))).toEqual([expect.stringContaining('signal SIGKILL')]);
    expect(cluster.isRunning('jobs')).toBe(false);
    expect(await isListening(Number(new URL(urlOf('jobs')).port))).toBe(false);
    expect((await call('iam', 'GET', '/api/v1/me')).status).toBe(200);
    expect((await call('jobs', 'GET', '/api/v1/jobs').catch((err: Error) => ({ status: err.message }))).status).toBe('fetch failed');

    // The change happens while jobs is down: its deliveries fail and are retried with backoff (1 s, 2 s, 4 s...).
    const known = policyEvents();
    expect((await changePolicy()).status).toBe(201);
    const id = await nextPolicyEvent(known);
    await waitFor('a failed delivery to jobs', () =>
      cluster.broker.deliveries().find((d) => d.eventId === id && d.trigger === 'jobs-data-policy-changes' && d.status === undefined),
    );
    await cluster.restart('jobs');
    await waitFor('the redelivery to jobs', () => deliveredTo(id).has('jobs-data-policy-changes'), { timeoutMs: 40_000 });
    const tries = cluster.broker.deliveries().filter((d) => d.eventId === id && d.trigger === 'jobs-data-policy-changes');
    expect(tries.length).toBeGreaterThan(1);
    expect(tries.at(-1)!.status).toBe(200);
    expect(readFileSync(cluster.deadLetterFile, { encoding: 'utf8', flag: 'a+' })).not.toContain(id);
  }, 90_000);

  it("keeps a killed function's unsent events in the outbox and delivers them once it is back", async () => {
    // The Broker's ingress is not ready (503): the policies function keeps its event in the outbox...
    cluster.broker.setIngressOpen(false);
    try {
      const known = policyEvents();
      expect((await changePolicy()).status).toBe(201);
      const pending = await waitFor('the event waiting in the outbox', async () => {
        const status = await call('events', 'GET', '/api/v1/events/outbox');
        return (status.body.items as Array<{ type: string; pending: number }>).find((i) => i.type === POLICY_CHANGED && i.pending > 0);
      });
      expect(pending.pending).toBe(1);
      // ...and then dies.
      await cluster.kill('policies');
      expect(cluster.isRunning('policies')).toBe(false);
      cluster.broker.setIngressOpen(true);
      await cluster.restart('policies');
      const id = await nextPolicyEvent(known);
      const expected = triggersOf(POLICY_CHANGED);
      await waitFor('every policy Trigger delivered', () => deliveredTo(id).size === expected.size, { timeoutMs: 40_000 });
      await waitFor(
        'no policy change left in the outbox',
        async () => {
          const status = await call('events', 'GET', '/api/v1/events/outbox');
          return (status.body.items as Array<{ type: string }>).every((i) => i.type !== POLICY_CHANGED);
        },
        { timeoutMs: 30_000 },
      );
    } finally {
      cluster.broker.setIngressOpen(true);
    }
  }, 90_000);

  it('stops every process it started and everything they started', async () => {
    const tree = cluster.processTree();
    expect(tree.length).toBeGreaterThanOrEqual(functionNames.length);
    expect(stillRunning(tree)).toEqual(tree);
    const ports = [...cluster.functions.values()].map((u) => Number(new URL(u).port));
    await cluster.stop();
    expect(stillRunning(tree)).toEqual([]);
    for (const port of ports) expect(await isListening(port)).toBe(false);
    expect(await isListening(Number(new URL(cluster.broker.url).port))).toBe(false);
    // Stopping is not crashing: no function was reported.
    expect(reports.filter((r) => r.includes('exited unexpectedly') && !r.includes('jobs exited'))).toEqual([]);
  }, 60_000);
});
