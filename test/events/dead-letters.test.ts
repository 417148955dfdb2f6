/**
 * What an operator sees when the event sink is down: events that failed LAKEPLANE_EVENT_MAX_ATTEMPTS times land in
 * GET /api/v1/events/dead-letters, the failure and dead-letter counters rise on /metrics, a redrive delivers the same
 * event (same id) once the sink is back, and a dead letter can be discarded. Only admins may do any of it.
 *
 * The sink is a real HTTP server in this process; LAKEPLANE_BROKER_URL points the platform's HttpTransport at it, so
 * the embedded server delivers over HTTP exactly as a cluster function delivers to the Knative Broker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { readRequestBody, startHttpServer, type TestHttpServer } from '../support/http-server.js';
import { metricValue, scrape } from '../support/metrics.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { waitFor } from '../support/wait.js';

const GROUP_CREATED = 'io.lakeplane.iam.group.created.v1';
const MAX_ATTEMPTS = 2;

interface SinkRequest {
  id: string;
  type: string;
  answered: number;
  body: unknown;
}

describe.each(backends())('dead letters (%s)', (backend) => {
  let sinkHealthy = false;
  const sinkRequests: SinkRequest[] = [];
  let sink: TestHttpServer;
  let platform: TestPlatform;
  let admin: string;
  let member: string;
  /** The groups whose creation events are dead-lettered, by name. */
  const groups: Record<string, { id: string; eventId?: string }> = {};

  async function deadLetters(query = `?type=${GROUP_CREATED}`) {
    const { status, body } = await platform.call('GET', `/api/v1/events/dead-letters${query}`, { token: admin });
    expect(status).toBe(200);
    return body.items as Array<{
      id: string;
      type: string;
      source: string;
      subject: string | null;
      data: any;
      attempts: number;
      lastError: string | null;
      deadAt: string;
    }>;
  }

  async function createGroup(name: string): Promise<string> {
    const { status, body } = await platform.call('POST', '/api/v1/groups', { token: admin, body: { name } });
    expect(status).toBe(201);
    return body.id as string;
  }

  beforeAll(async () => {
    // A sink that answers 500 until the test heals it; it records every attempt it saw.
    sink = await startHttpServer(async (req, res) => {
      const body = await readRequestBody(req);
      const answered = sinkHealthy ? 202 : 500;
      sinkRequests.push({
        id: String(req.headers['ce-id']),
        type: String(req.headers['ce-type']),
        answered,
        body: body.length ? JSON.parse(body.toString('utf8')) : undefined,
      });
      res.writeHead(answered).end();
    });
    platform = await startPlatform(backend, {
      env: {
        LAKEPLANE_BROKER_URL: sink.url,
        LAKEPLANE_EVENT_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        LAKEPLANE_EVENT_RETRY_BASE_MS: '20',
        LAKEPLANE_EVENT_POLL_MS: '100',
      },
    });
    admin = await platform.adminToken();
    const created = await platform.call('POST', '/api/v1/users', { token: admin, body: { username: 'dl-member', password: 'member-password-123' } });
    expect(created.status).toBe(201);
    const login = await platform.login('dl-member', 'member-password-123');
    expect(login.status).toBe(200);
    member = login.body.access_token as string;
  });

  afterAll(async () => {
    await platform?.close();
    await sink?.close();
  });

  it(`moves an event that failed ${MAX_ATTEMPTS} times to the dead letters, and counts it on /metrics`, async () => {
    const before = await scrape(platform.url);
    expect((await platform.call('GET', '/api/v1/events/outbox', { token: admin })).body.transport).toBe('http');

    for (const name of ['dl-redrive-me', 'dl-discard-me']) groups[name] = { id: await createGroup(name) };

    const dead = await waitFor('both group.created events to be dead-lettered', async () => {
      const items = await deadLetters();
      const mine = Object.values(groups).map((g) => items.find((d) => d.data?.groupId === g.id));
      return mine.every((d) => d !== undefined) ? mine : undefined;
    });
    for (const [i, name] of Object.keys(groups).entries()) {
      const letter = dead[i]!;
      const group = groups[name]!;
      group.eventId = letter.id;
      expect(letter).toMatchObject({
        type: GROUP_CREATED,
        source: '/lakeplane/embedded',
        subject: `groups/${group.id}`,
        data: { groupId: group.id, name },
        attempts: MAX_ATTEMPTS,
        lastError: 'sink answered 500',
      });
      expect(Date.parse(letter.deadAt)).not.toBeNaN();
      // The sink really was tried MAX_ATTEMPTS times with this very event, and said no each time.
      const attempts = sinkRequests.filter((r) => r.id === letter.id);
      expect(attempts.map((r) => [r.type, r.answered])).toEqual(Array(MAX_ATTEMPTS).fill([GROUP_CREATED, 500]));
      expect(attempts[0]!.body).toEqual({ groupId: group.id, name });
    }

    // A dead letter is no longer pending in the outbox.
    const outbox = await platform.call('GET', '/api/v1/events/outbox', { token: admin });
    expect(outbox.status).toBe(200);
    expect(outbox.body.items.filter((i: { type: string }) => i.type === GROUP_CREATED)).toEqual([]);

    const after = await scrape(platform.url);
    const labels = { type: GROUP_CREATED };
    expect(metricValue(after, 'lakeplane_events_failed_total', labels) - metricValue(before, 'lakeplane_events_failed_total', labels)).toBe(2 * MAX_ATTEMPTS);
    expect(metricValue(after, 'lakeplane_events_dead_lettered_total', labels) - metricValue(before, 'lakeplane_events_dead_lettered_total', labels)).toBe(2);
    expect(metricValue(after, 'lakeplane_events_delivered_total', labels)).toBe(0);
  });

  it('lists dead letters of every type without a filter, and pages them', async () => {
    // The admin bootstrap and the member creation were dead-lettered too: the sink was down from the start.
    const all = await deadLetters('');
    expect(all.map((d) => d.type)).toEqual(expect.arrayContaining(['io.lakeplane.iam.user.created.v1', GROUP_CREATED]));
    const first = await platform.call('GET', '/api/v1/events/dead-letters?pageSize=1', { token: admin });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(typeof first.body.nextPageToken).toBe('string');
    const second = await platform.call('GET', `/api/v1/events/dead-letters?pageSize=1&pageToken=${encodeURIComponent(first.body.nextPageToken)}`, {
      token: admin,
    });
    expect(second.status).toBe(200);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
  });

  it('refuses non-admins (403), anonymous callers (401) and malformed ids (400)', async () => {
    const id = groups['dl-redrive-me']!.eventId!;
    expect((await platform.call('GET', '/api/v1/events/dead-letters', { token: member })).status).toBe(403);
    expect((await platform.call('POST', `/api/v1/events/dead-letters/${id}/redrive`, { token: member })).status).toBe(403);
    expect((await platform.call('DELETE', `/api/v1/events/dead-letters/${id}`, { token: member })).status).toBe(403);
    expect((await platform.call('GET', '/api/v1/events/outbox', { token: member })).status).toBe(403);
    expect((await platform.call('GET', '/api/v1/events/dead-letters')).status).toBe(401);

    for (const [method, path] of [
      ['POST', '/api/v1/events/dead-letters/not-a-uuid/redrive'],
      ['DELETE', '/api/v1/events/dead-letters/not-a-uuid'],
    ] as const) {
      const answer = await platform.call(method, path, { token: admin });
      expect(answer.status, `${method} ${path}`).toBe(400);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(answer.body).toMatchObject({ status: 400, type: 'https://lakeplane.dev/problems/validation-failed' });
    }
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await platform.call('POST', `/api/v1/events/dead-letters/${unknown}/redrive`, { token: admin })).status).toBe(404);

    // Nothing was touched by the refused calls.
    expect((await deadLetters()).map((d) => d.id)).toEqual(expect.arrayContaining([id, groups['dl-discard-me']!.eventId]));
  });

  it('DELETE discards one dead letter for good', async () => {
    const id = groups['dl-discard-me']!.eventId!;
    const deleted = await platform.call('DELETE', `/api/v1/events/dead-letters/${id}`, { token: admin });
    expect(deleted.status).toBe(204);
    const remaining = (await deadLetters()).map((d) => d.id);
    expect(remaining).not.toContain(id);
    expect(remaining).toContain(groups['dl-redrive-me']!.eventId);
    expect((await platform.call('DELETE', `/api/v1/events/dead-letters/${id}`, { token: admin })).status).toBe(404);
    expect((await platform.call('POST', `/api/v1/events/dead-letters/${id}/redrive`, { token: admin })).status).toBe(404);
  });

  it('redrive puts the event back in the outbox and, with the sink healthy again, delivers it under the same id', async () => {
    const { id: groupId, eventId } = groups['dl-redrive-me']!;
    sinkHealthy = true;
    const before = await scrape(platform.url);

    const redriven = await platform.call('POST', `/api/v1/events/dead-letters/${eventId}/redrive`, { token: admin });
    expect(redriven.status).toBe(202);
    expect(redriven.body).toEqual({ id: eventId, status: 'queued' });

    // The sink receives the same event (same id, so consumers still deduplicate) and accepts it.
    const delivered = await waitFor('the redriven event to reach the sink', () => sinkRequests.find((r) => r.id === eventId && r.answered === 202));
    expect(delivered).toMatchObject({ type: GROUP_CREATED, body: { groupId, name: 'dl-redrive-me' } });
    // It leaves the outbox and does not come back as a dead letter.
    await waitFor('the outbox to hold no group.created event', async () => {
      const { body } = await platform.call('GET', '/api/v1/events/outbox', { token: admin });
      return !body.items.some((i: { type: string }) => i.type === GROUP_CREATED);
    });
    expect((await deadLetters()).map((d) => d.id)).not.toContain(eventId);
    const after = await scrape(platform.url);
    expect(
      metricValue(after, 'lakeplane_events_delivered_total', { type: GROUP_CREATED }) -
        metricValue(before, 'lakeplane_events_delivered_total', { type: GROUP_CREATED }),
    ).toBe(1);
    // A redrive of an event no longer dead is refused.
    expect((await platform.call('POST', `/api/v1/events/dead-letters/${eventId}/redrive`, { token: admin })).status).toBe(404);
  });
});
