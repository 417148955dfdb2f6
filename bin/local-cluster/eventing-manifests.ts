import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Cron } from 'croner';
import { parseAllDocuments } from 'yaml';
import { parseIsoDuration } from './iso-duration.js';

/**
 * The eventing/ manifests as the local Broker and PingSource run them: the files eventing/kustomization.yaml lists
 * (what `kubectl apply -k eventing/` would create), read with the same YAML 1.1 reading the API server applies. Every
 * reference is resolved here, before anything starts, so a Trigger naming a Service that does not exist, a Broker that
 * is not there or a delivery it cannot honour stops the run with the file and the field.
 */

/** Where an event is sent: an absolute URL, and the audience its sender token is minted for (none: no token). */
export interface Destination {
  readonly url: string;
  readonly audience: string | undefined;
}

export interface DeliverySpec {
  /** Retries after the first attempt (Knative's `retry`). */
  readonly retry: number;
  readonly backoffPolicy: 'linear' | 'exponential';
  readonly backoffDelayMs: number;
  readonly deadLetterSink: Destination | undefined;
}

export interface BrokerSpec {
  readonly namespace: string;
  readonly name: string;
  /** The audience of the Broker's ingress under authentication-oidc: eventing.knative.dev/broker/<namespace>/<name>. */
  readonly audience: string;
  readonly delivery: DeliverySpec | undefined;
}

export interface TriggerSpec {
  readonly namespace: string;
  readonly name: string;
  readonly file: string;
  readonly broker: string;
  /** spec.filter.attributes: every attribute must equal its value (an empty value matches any). */
  readonly filter: Readonly<Record<string, string>>;
  readonly subscriber: Destination;
  /** The Trigger's own delivery, or its Broker's when it has none. */
  readonly delivery: DeliverySpec | undefined;
  /** The subject of the tokens its deliveries carry: the Trigger's OIDC ServiceAccount. */
  readonly subject: string;
}

export interface PingSourceSpec {
  readonly namespace: string;
  readonly name: string;
  readonly file: string;
  readonly schedule: string;
  readonly timezone: string | undefined;
  readonly contentType: string;
  readonly data: string;
  readonly sink: Destination;
  readonly subject: string;
}

export interface EventingSetup {
  readonly brokers: readonly BrokerSpec[];
  readonly triggers: readonly TriggerSpec[];
  readonly pingSources: readonly PingSourceSpec[];
  /** Kinds read but not run here, with why (the ApiServerSource: the local runtime reports workloads itself). */
  readonly notRun: readonly string[];
}

/** How a reference to a Knative Service or a Broker becomes an address on this machine. */
export interface AddressBook {
  /** A Knative Service (a function) in a namespace, or undefined when there is no such function. */
  service(namespace: string, name: string): string | undefined;
  /** A Broker's ingress; undefined when eventing/ defines no such Broker. */
  broker(namespace: string, name: string): string | undefined;
}

type Obj = Record<string, unknown>;

export class EventingManifestError extends Error {}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(where: string, message: string): never {
  throw new EventingManifestError(`${where}: ${message}`);
}

function str(value: unknown, where: string, field: string): string {
  if (typeof value !== 'string' || value === '') fail(where, `${field} must be a non-empty string`);
  return value;
}

function loadDocuments(file: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { version: '1.1' });
  const list = Array.isArray(docs) ? docs : [docs];
  return list.flatMap((doc) => {
    if (doc.errors.length > 0) fail(file, doc.errors.map((e) => e.message).join('; '));
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return [];
    if (!isObj(value)) fail(file, 'a document is not a mapping');
    return [value];
  });
}

function kindOf(doc: Obj): string {
  return `${String(doc['apiVersion'])}/${String(doc['kind'])}`;
}

/** Namespaces the same way kustomize's `namespace:` does: it replaces whatever the document says. */
function metadata(doc: Obj, where: string, namespace: string | undefined): { name: string; namespace: string } {
  const meta = isObj(doc['metadata']) ? doc['metadata'] : fail(where, 'metadata is missing');
  const ns = namespace ?? (typeof meta['namespace'] === 'string' ? meta['namespace'] : 'default');
  return { name: str(meta['name'], where, 'metadata.name'), namespace: ns };
}

/** A duck-typed Destination (ref and/or uri), resolved against the address book as Knative's resolver does. */
function destination(value: unknown, where: string, field: string, namespace: string, book: AddressBook): Destination {
  if (!isObj(value)) fail(where, `${field} must be a Destination (ref and/or uri)`);
  const audience = value['audience'] === undefined ? undefined : str(value['audience'], where, `${field}.audience`);
  const uri = value['uri'] === undefined ? undefined : str(value['uri'], where, `${field}.uri`);
  const ref = value['ref'];
  if (ref === undefined) {
    if (!uri || !/^https?:\/\//.test(uri)) fail(where, `${field}.uri must be an absolute URL when ${field}.ref is not given`);
    return { url: uri, audience };
  }
  if (!isObj(ref)) fail(where, `${field}.ref must be a mapping`);
  const kind = `${str(ref['apiVersion'], where, `${field}.ref.apiVersion`)}/${str(ref['kind'], where, `${field}.ref.kind`)}`;
  const name = str(ref['name'], where, `${field}.ref.name`);
  const refNamespace = ref['namespace'] === undefined ? namespace : str(ref['namespace'], where, `${field}.ref.namespace`);
  let base: string | undefined;
  let ownAudience: string | undefined;
  if (kind === 'serving.knative.dev/v1/Service') {
    base = book.service(refNamespace, name);
    if (!base) fail(where, `${field}.ref names Knative Service ${refNamespace}/${name}, which is not a function of this platform`);
  } else if (kind === 'eventing.knative.dev/v1/Broker') {
    base = book.broker(refNamespace, name);
    if (!base) fail(where, `${field}.ref names Broker ${refNamespace}/${name}, which eventing/ does not define`);
    // A Broker publishes its audience in its status (address.audience); senders mint their tokens for it.
    ownAudience = `eventing.knative.dev/broker/${refNamespace}/${name}`;
  } else {
    fail(where, `${field}.ref is a ${kind}; the local cluster resolves Knative Services and Brokers`);
  }
  // A uri beside a ref is resolved against the ref's address (Knative: relative references only).
  if (uri && /^[a-z][a-z0-9+.-]*:/i.test(uri)) fail(where, `${field}.uri must be a relative reference when ${field}.ref is given`);
  return { url: uri ? new URL(uri, base.endsWith('/') ? base : `${base}/`).toString() : base, audience: audience ?? ownAudience };
}

function delivery(value: unknown, where: string, namespace: string, book: AddressBook): DeliverySpec | undefined {
  if (value === undefined) return undefined;
  if (!isObj(value)) fail(where, 'spec.delivery must be a mapping');
  const retry = value['retry'] ?? 0;
  if (typeof retry !== 'number' || !Number.isInteger(retry) || retry < 0) fail(where, 'spec.delivery.retry must be a whole number, 0 or more');
  const policy = value['backoffPolicy'] ?? 'exponential';
  if (policy !== 'linear' && policy !== 'exponential') fail(where, `spec.delivery.backoffPolicy must be linear or exponential, not ${String(policy)}`);
  let backoffDelayMs = 0;
  if (value['backoffDelay'] !== undefined) {
    const parsed = parseIsoDuration(str(value['backoffDelay'], where, 'spec.delivery.backoffDelay'));
    if (parsed === undefined) fail(where, `spec.delivery.backoffDelay ${String(value['backoffDelay'])} is not an ISO 8601 duration (e.g. PT0.5S)`);
    backoffDelayMs = parsed;
  }
  for (const key of Object.keys(value)) {
    if (!['retry', 'backoffPolicy', 'backoffDelay', 'deadLetterSink'].includes(key)) fail(where, `spec.delivery.${key} is not supported by the local Broker`);
  }
  const deadLetterSink =
    value['deadLetterSink'] === undefined ? undefined : destination(value['deadLetterSink'], where, 'spec.delivery.deadLetterSink', namespace, book);
  return { retry, backoffPolicy: policy, backoffDelayMs, deadLetterSink };
}

function filterOf(spec: Obj, where: string): Record<string, string> {
  // Knative's newer `filters` (CESQL and the dialect) would need its own evaluator; no Trigger here uses it.
  if (spec['filters'] !== undefined) fail(where, 'spec.filters is not supported by the local Broker (use spec.filter.attributes)');
  if (spec['filter'] === undefined) return {};
  const filter = spec['filter'];
  if (!isObj(filter)) fail(where, 'spec.filter must be a mapping');
  const attributes = filter['attributes'] ?? {};
  if (!isObj(attributes)) fail(where, 'spec.filter.attributes must be a mapping');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes)) {
    if (typeof v !== 'string') fail(where, `spec.filter.attributes.${k} must be a string`);
    out[k] = v;
  }
  return out;
}

/** The files a kustomization lists, and the namespace it sets. */
function kustomization(dir: string): { files: string[]; namespace: string | undefined } {
  const file = path.join(dir, 'kustomization.yaml');
  const [doc] = loadDocuments(file);
  if (!doc || !Array.isArray(doc['resources'])) fail(file, 'resources must be a list of files');
  const files = (doc['resources'] as unknown[]).map((r) => {
    if (typeof r !== 'string' || !/\.ya?ml$/.test(r)) fail(file, `resource ${String(r)} is not a YAML file (the local cluster reads files only)`);
    return path.join(dir, r);
  });
  return { files, namespace: typeof doc['namespace'] === 'string' ? doc['namespace'] : undefined };
}

/**
 * Reads eventing/ (or another folder with a kustomization.yaml). `services` is how a Knative Service name becomes a
 * function's URL; Brokers get their addresses from `brokerUrl`.
 */
export function loadEventing(
  dir: string,
  services: AddressBook['service'],
  brokerUrl: (namespace: string, name: string) => string,
  options: { files?: readonly string[] } = {},
): EventingSetup {
  const { files, namespace } = options.files ? { files: [...options.files], namespace: undefined } : kustomization(dir);
  const docs = files.flatMap((file) => loadDocuments(file).map((doc) => ({ doc, file: path.relative(process.cwd(), file) || file })));

  const brokerDocs = docs.filter(({ doc }) => kindOf(doc) === 'eventing.knative.dev/v1/Broker');
  const brokerNames = new Set(
    brokerDocs.map(({ doc, file }) => {
      const m = metadata(doc, file, namespace);
      return `${m.namespace}/${m.name}`;
    }),
  );
  const book: AddressBook = {
    service: services,
    broker: (ns, name) => (brokerNames.has(`${ns}/${name}`) ? brokerUrl(ns, name) : undefined),
  };

  const brokers: BrokerSpec[] = brokerDocs.map(({ doc, file }) => {
    const m = metadata(doc, file, namespace);
    const where = `${file} (Broker ${m.name})`;
    const spec = isObj(doc['spec']) ? doc['spec'] : {};
    return { ...m, audience: `eventing.knative.dev/broker/${m.namespace}/${m.name}`, delivery: delivery(spec['delivery'], where, m.namespace, book) };
  });

  const triggers: TriggerSpec[] = [];
  const pingSources: PingSourceSpec[] = [];
  const notRun: string[] = [];
  for (const { doc, file } of docs) {
    const kind = kindOf(doc);
    if (kind === 'eventing.knative.dev/v1/Trigger') {
      const m = metadata(doc, file, namespace);
      const where = `${file} (Trigger ${m.name})`;
      const spec = isObj(doc['spec']) ? doc['spec'] : fail(where, 'spec is missing');
      const brokerName = str(spec['broker'], where, 'spec.broker');
      const broker = brokers.find((b) => b.namespace === m.namespace && b.name === brokerName);
      if (!broker) fail(where, `spec.broker names Broker ${m.namespace}/${brokerName}, which eventing/ does not define`);
      triggers.push({
        ...m,
        file,
        broker: brokerName,
        filter: filterOf(spec, where),
        subscriber: destination(spec['subscriber'], where, 'spec.subscriber', m.namespace, book),
        delivery: delivery(spec['delivery'], where, m.namespace, book) ?? broker.delivery,
        subject: `system:serviceaccount:${m.namespace}:${m.name}-oidc-eventing.knative.dev-trigger`,
      });
    } else if (kind === 'sources.knative.dev/v1/PingSource') {
      const m = metadata(doc, file, namespace);
      const where = `${file} (PingSource ${m.name})`;
      const spec = isObj(doc['spec']) ? doc['spec'] : fail(where, 'spec is missing');
      const schedule = str(spec['schedule'], where, 'spec.schedule');
      const timezone = spec['timezone'] === undefined ? undefined : str(spec['timezone'], where, 'spec.timezone');
      try {
        new Cron(schedule, { paused: true, ...(timezone ? { timezone } : {}) }).stop();
      } catch (err) {
        fail(where, `spec.schedule ${schedule} is not a cron schedule (${(err as Error).message})`);
      }
      if (spec['dataBase64'] !== undefined) fail(where, 'spec.dataBase64 is not supported by the local PingSource (use spec.data)');
      pingSources.push({
        ...m,
        file,
        schedule,
        timezone,
        contentType: spec['contentType'] === undefined ? 'application/json' : str(spec['contentType'], where, 'spec.contentType'),
        data: spec['data'] === undefined ? '' : str(spec['data'], where, 'spec.data'),
        sink: destination(spec['sink'], where, 'spec.sink', m.namespace, book),
        subject: `system:serviceaccount:${m.namespace}:${m.name}-oidc-sources.knative.dev-pingsource`,
      });
    } else if (kind === 'sources.knative.dev/v1/ApiServerSource') {
      notRun.push(`${file}: ApiServerSource ${metadata(doc, file, namespace).name} (the local runtime publishes its workloads' changes itself)`);
    } else if (kind !== 'eventing.knative.dev/v1/Broker' && kind !== 'v1/ServiceAccount') {
      fail(file, `${kind} is not run by the local cluster`);
    }
  }
  return { brokers, triggers, pingSources, notRun };
}
