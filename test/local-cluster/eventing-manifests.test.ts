import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backoffMs, loadEventing, parseIsoDuration } from '../../bin/local-cluster/index.js';
import { functionNames } from '../../functions/registry.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const serviceUrl = (_namespace: string, name: string) => (functionNames.includes(name) ? `http://127.0.0.1:1/${name}` : undefined);
const brokerUrl = (ns: string, name: string) => `http://127.0.0.1:2/${ns}/${name}`;

describe('eventing/ as the local Broker reads it', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lakeplane-eventing-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const broker = write(
    'broker.yaml',
    'apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata: {name: default, namespace: lakeplane}\nspec:\n  delivery: {retry: 2, backoffPolicy: linear, backoffDelay: PT1S}\n',
  );
  const trigger = (spec: string) =>
    write(
      `t-${Math.random().toString(36).slice(2)}.yaml`,
      `apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {name: t, namespace: lakeplane}\nspec:\n${spec}`,
    );

  it('resolves every Trigger of the kustomization to a function, with its filter, audience, sender and delivery', () => {
    const setup = loadEventing(path.join(ROOT, 'eventing'), serviceUrl, brokerUrl);
    expect(setup.brokers.map((b) => `${b.namespace}/${b.name}`)).toEqual(['lakeplane/default']);
    const policyType = 'io.lakeplane.policies.data-policy.changed.v1';
    const subscribers = setup.triggers.filter((t) => t.filter['type'] === policyType).map((t) => t.subscriber.url);
    // Every function but webhooks has its own policy Trigger; webhooks takes every event through webhooks-all.
    expect(new Set(subscribers)).toEqual(new Set(functionNames.filter((n) => n !== 'webhooks').map((n) => `http://127.0.0.1:1/cloudevents/${n}`)));
    const events = setup.triggers.find((t) => t.name === 'events-ping')!;
    expect(events).toMatchObject({
      subscriber: { url: 'http://127.0.0.1:1/cloudevents/events', audience: 'lakeplane-events' },
      subject: 'system:serviceaccount:lakeplane:events-ping-oidc-eventing.knative.dev-trigger',
      delivery: {
        retry: 10,
        backoffPolicy: 'exponential',
        backoffDelayMs: 1000,
        deadLetterSink: { url: 'http://127.0.0.1:1/cloudevents/events/dead-letters', audience: 'lakeplane-events' },
      },
    });
    expect(setup.triggers.find((t) => t.name === 'webhooks-all')!.filter).toEqual({});
    // No event is dropped: every Trigger dead-letters to the events function after a budget that rides out a restart.
    for (const t of setup.triggers) expect(t.delivery?.deadLetterSink?.url, t.name).toBe('http://127.0.0.1:1/cloudevents/events/dead-letters');
    const [ping] = setup.pingSources;
    expect(ping).toMatchObject({
      name: 'outbox-tick',
      schedule: '* * * * *',
      contentType: 'application/json',
      data: '{"task":"outbox-flush"}',
      sink: { url: 'http://127.0.0.1:2/lakeplane/default', audience: 'eventing.knative.dev/broker/lakeplane/default' },
    });
    expect(setup.notRun.join()).toContain('ApiServerSource');
  });

  it('fails on a Trigger the cluster would not run, naming the file and the field', () => {
    const load = (file: string) => () => loadEventing(dir, serviceUrl, brokerUrl, { files: [broker, file] });
    const subscriber = '  subscriber:\n    ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: jobs}\n    uri: /cloudevents/jobs\n';
    expect(load(trigger(`  broker: default\n  subscriber:\n    ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: jbos}\n`))).toThrow(
      /Trigger t\).*spec.subscriber.ref names Knative Service lakeplane\/jbos, which is not a function/,
    );
    expect(load(trigger(`  broker: other\n${subscriber}`))).toThrow(/spec.broker names Broker lakeplane\/other/);
    expect(load(trigger(`  broker: default\n  filters: [{cesql: "type = 'x'"}]\n${subscriber}`))).toThrow(/spec.filters is not supported/);
    expect(load(trigger(`  broker: default\n${subscriber}  delivery: {retry: 1, backoffDelay: 1s}\n`))).toThrow(/backoffDelay 1s is not an ISO 8601 duration/);
    expect(load(trigger(`  broker: default\n${subscriber}  delivery: {retry: 1, backoffPolicy: random}\n`))).toThrow(
      /backoffPolicy must be linear or exponential/,
    );
    expect(load(trigger(`  broker: default\n  subscriber:\n    ref: {apiVersion: v1, kind: Service, name: jobs}\n`))).toThrow(/is a v1\/Service/);
    const ok = loadEventing(dir, serviceUrl, brokerUrl, { files: [broker, trigger(`  broker: default\n${subscriber}`)] });
    expect(ok.triggers[0]!.delivery).toEqual({ retry: 2, backoffPolicy: 'linear', backoffDelayMs: 1000, deadLetterSink: undefined });
  });

  it("computes Knative's backoff: delay × n (linear) or delay × 2^n (exponential) before the n-th retry", () => {
    expect(parseIsoDuration('PT0.5S')).toBe(500);
    expect(parseIsoDuration('PT1M30S')).toBe(90_000);
    expect(parseIsoDuration('P1DT1H')).toBe(90_000_000);
    expect(parseIsoDuration('PT')).toBeUndefined();
    expect(parseIsoDuration('500ms')).toBeUndefined();
    const exponential = { retry: 5, backoffPolicy: 'exponential', backoffDelayMs: 500, deadLetterSink: undefined } as const;
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(exponential, n))).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect([1, 2, 3].map((n) => backoffMs({ ...exponential, backoffPolicy: 'linear' }, n))).toEqual([500, 1000, 1500]);
  });
});
