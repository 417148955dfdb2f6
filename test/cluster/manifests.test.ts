// Checks the cluster-mode manifests (knative/, eventing/) without a cluster: against the app's contract, against
// Knative's CRD schemas (shared/ref), against Kubernetes' own schemas, and as rendered by kustomize.
// Missing prerequisites skip loudly; LAKEPLANE_REQUIRE_ALL=1 (CI) makes them fail instead.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadAllFunctions } from '../../functions/registry.js';
import { consumersOf } from '../../shared/platform/index.js';
import {
  crdValidator,
  functionNames,
  k8sSchemaDir,
  k8sValidators,
  K8S_VERSION,
  kustomizeCommand,
  loadDoc,
  loadDocs,
  prerequisite,
  REQUIRE_ALL,
  refDir,
  ROOT,
  yamlFilesUnder,
  type Obj,
} from './manifests.js';

const NAMESPACE = 'lakeplane';
const INGEST_PATH = '/cloudevents/events';
// RevisionSpec = PodSpec subset + these; they are stripped before validating the rest as a Kubernetes PodSpec.
const KNATIVE_ONLY_POD_FIELDS = ['containerConcurrency', 'timeoutSeconds', 'responseStartTimeoutSeconds', 'idleTimeoutSeconds'];
// What Knative's admission webhook rejects and no schema says (knative.dev/serving pkg/apis/serving/k8s_validation.go).
const KNATIVE_RESERVED_ENV = ['PORT', 'K_SERVICE', 'K_CONFIGURATION', 'K_REVISION'];
const KNATIVE_RESERVED_PATHS = ['/', '/dev', '/dev/log', '/tmp', '/var', '/var/log'];

const serviceFiles = yamlFilesUnder('knative/services');
const services = serviceFiles.map((file) => ({ file, doc: loadDoc(file) }));
const job = loadDoc('knative/migrate-job.yaml');
const namespace = loadDoc('knative/namespace.yaml');
const serviceAccount = loadDoc('knative/serviceaccount.yaml');
const secrets = loadDocs('knative/secrets.example.yaml');
const gatewayService = loadDoc('knative/gateway-service.yaml');
const ingress = loadDoc('knative/gateway-ingress.yaml');
const networkConfig = loadDoc('knative/network-config.yaml');
const broker = loadDoc('eventing/broker.yaml');
const pingSource = loadDoc('eventing/pingsource-outbox.yaml');
const trigger = loadDoc('eventing/trigger-events-ping.yaml');
const policyTriggers = loadDocs('eventing/triggers-policy-changes.yaml');
const jobTriggers = [
  ...loadDocs('eventing/triggers-catalog.yaml'),
  ...loadDocs('eventing/triggers-jobs.yaml'),
  ...loadDocs('eventing/triggers-lakehouses.yaml'),
  ...loadDocs('eventing/triggers-scheduler.yaml'),
  ...loadDocs('eventing/triggers-sql.yaml'),
  loadDoc('eventing/trigger-webhooks-all.yaml'),
];
const triggers = [trigger, ...policyTriggers, ...jobTriggers];
const sparkSource = [...loadDocs('eventing/apiserversource-sparkapplications.yaml'), ...loadDocs('eventing/jobs-namespace/sparkapplication-watcher.yaml')];
const apiServerSource = sparkSource.find((d) => d.kind === 'ApiServerSource')!;
const eventingDocs = [broker, pingSource, ...triggers, apiServerSource];

const containerOf = (svc: Obj): Obj => svc.spec.template.spec.containers[0];
const envOf = (c: Obj): Map<string, Obj> => new Map(((c.env as Obj[]) ?? []).map((e) => [e.name as string, e]));
const kustomization = (dir: string): Obj => loadDoc(`${dir}/kustomization.yaml`);

function expectHardened(where: string, sc: Obj | undefined): void {
  expect(sc, where).toMatchObject({
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  expect(sc?.capabilities?.drop, where).toContain('ALL');
  expect(sc?.capabilities?.add ?? [], where).toEqual([]);
  expect(sc?.privileged ?? false, where).toBe(false);
}

function expectResources(where: string, c: Obj): void {
  for (const kind of ['requests', 'limits']) {
    expect(Object.keys(c.resources?.[kind] ?? {}).sort(), `${where} resources.${kind}`).toEqual(['cpu', 'memory']);
  }
}

function expectSecretRef(env: Map<string, Obj>, name: string, ref: Obj): void {
  expect(env.get(name)?.valueFrom?.secretKeyRef, name).toEqual(ref);
  expect(env.get(name)?.value, `${name} must come from the Secret only`).toBeUndefined();
}

describe('every function has a Knative Service', () => {
  const functions = functionNames();
  if (functions.length === 0) {
    // Would make the per-function checks vacuous.
    prerequisite('function folders', 'no functions/<name>/index.ts found, so no function is checked for a Service');
  }
  const listed = kustomization('knative').resources as string[];

  it.each(functions)('%s has knative/services/<name>.yaml with FUNCTION_TARGET, listed in the kustomization', (name) => {
    const file = `knative/services/${name}.yaml`;
    expect(existsSync(join(ROOT, file)), `${file} missing`).toBe(true);
    const svc = loadDoc(file);
    expect(svc.kind).toBe('Service');
    expect(svc.apiVersion).toBe('serving.knative.dev/v1');
    expect(svc.metadata.name).toBe(name);
    expect(envOf(containerOf(svc)).get('FUNCTION_TARGET')?.value).toBe(name);
    expect(listed).toContain(`services/${name}.yaml`);
  });

  it.each(serviceFiles)('%s belongs to a folder in functions/', (file) => {
    const name = file.replace(/^knative\/services\/(.*)\.ya?ml$/, '$1');
    expect(existsSync(join(ROOT, 'functions', name)), `stale manifest: no functions/${name}/`).toBe(true);
  });
});

describe.each(services)('$file follows the cluster-mode contract', ({ doc: svc }) => {
  const name = svc.metadata.name as string;
  const pod = svc.spec.template.spec as Obj;
  const c = containerOf(svc);
  const env = envOf(c);

  it('has one container, the shared image, and the env of the contract', () => {
    expect(pod.containers).toHaveLength(1);
    expect(c.image).toBe('lakeplane');
    expect(c.command, 'the image CMD (node dist/serve.js) starts the server').toBeUndefined();
    expect(env.get('FUNCTION_TARGET')?.value).toBe(name);
    expect(env.get('LAKEPLANE_MODE')?.value).toBe('cluster');
    expect(env.get('LAKEPLANE_LOG_LEVEL')?.value).toBe('info');
    expect(new URL(env.get('LAKEPLANE_ISSUER')?.value).protocol).toBe('https:');
    // The Broker's ingress URL is /<namespace>/<name> of eventing/broker.yaml.
    expect(env.get('LAKEPLANE_BROKER_URL')?.value).toBe(
      `http://broker-ingress.knative-eventing.svc.cluster.local/${broker.metadata.namespace}/${broker.metadata.name}`,
    );
    expectSecretRef(env, 'DATABASE_URL', { name: 'lakeplane-database', key: 'url' });
    // The gateway creates no admin: it is not given the password.
    if (name === 'gateway') expect(env.has('LAKEPLANE_ADMIN_PASSWORD')).toBe(false);
    else expectSecretRef(env, 'LAKEPLANE_ADMIN_PASSWORD', { name: 'lakeplane-admin', key: 'password', optional: true });
    // Behind the gateway, Knative's activator and the queue-proxy, all of them appending to X-Forwarded-For.
    expect(env.get('LAKEPLANE_TRUSTED_PROXIES')?.valueFrom?.configMapKeyRef).toEqual({ name: networkConfig.metadata.name, key: 'trusted-proxies' });
    expect((c.env as Obj[]).length, 'duplicate env names').toBe(env.size);
    for (const reserved of KNATIVE_RESERVED_ENV) expect(env.has(reserved), `${reserved} is set by Knative`).toBe(false);
  });

  it("has env the app's config loader accepts, with no misspelt LAKEPLANE_* name", async () => {
    const { ConfigSchema, loadConfig } = await import('../../shared/config/index.js');
    const known = Object.keys(ConfigSchema.properties);
    for (const key of env.keys()) if (key.startsWith('LAKEPLANE_')) expect(known, `unknown setting ${key}`).toContain(key);
    const literal = Object.fromEntries([...env].filter(([, e]) => e.value !== undefined).map(([k, e]) => [k, e.value as string]));
    // What the ConfigMaps of knative/ hold is loaded as the pod would get it.
    for (const [key, e] of env) {
      const ref = e.valueFrom?.configMapKeyRef;
      if (ref) literal[key] = [networkConfig].find((m) => m.metadata.name === ref.name)?.data?.[ref.key];
    }
    // PORT is Knative's; DATABASE_URL comes from the Secret, so a placeholder of the right form stands in.
    const config = loadConfig({ ...literal, PORT: '8080', DATABASE_URL: 'postgres://placeholder@db:5432/lakeplane' });
    expect(config.LAKEPLANE_MODE).toBe('cluster');
    expect(config.FUNCTION_TARGET).toBe(name);
  });

  it('has probes, resources, a port and volumes Knative accepts', () => {
    expect(c.ports).toEqual([{ name: 'http1', containerPort: 8080 }]);
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 8080 });
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 8080 });
    expectResources(name, c);
    for (const m of (c.volumeMounts as Obj[]) ?? []) expect(KNATIVE_RESERVED_PATHS, `${m.mountPath} is reserved by Knative`).not.toContain(m.mountPath);
    expect(pod.securityContext, 'pod-level securityContext needs a Knative feature flag: set it on the container').toBeUndefined();
    expectHardened(name, c.securityContext);
    expect(pod.serviceAccountName).toBe(serviceAccount.metadata.name);
  });

  it('has sane autoscaling', () => {
    const a = svc.spec.template.metadata.annotations as Obj;
    const [min, max, target] = ['min-scale', 'max-scale', 'target'].map((k) => {
      const v = a[`autoscaling.knative.dev/${k}`];
      expect(v, k).toMatch(/^\d+$/);
      return Number(v);
    }) as [number, number, number];
    expect(min).toBeLessThanOrEqual(max);
    expect(max).toBeGreaterThan(0);
    expect(pod.containerConcurrency).toBeGreaterThan(0);
    expect(target).toBeLessThanOrEqual(pod.containerConcurrency);
    expect(a['prometheus.io/port']).toBe(String(c.ports[0].containerPort));
  });
});

describe('knative/network-config.yaml', () => {
  it('trusts the queue-proxy beside each function and the private ranges a pod network is in, as the config loader parses them', async () => {
    const { loadConfig } = await import('../../shared/config/index.js');
    const { trustedProxies } = loadConfig({ LAKEPLANE_TRUSTED_PROXIES: networkConfig.data['trusted-proxies'] });
    // The queue-proxy forwards from loopback: without it, every caller would be 127.0.0.1 to the functions.
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '10.244.1.7', '10.42.0.12', '192.168.3.4', '172.17.0.5', 'fd00:10:244::5'])
      expect(trustedProxies.has(address), address).toBe(true);
    for (const address of ['203.0.113.9', '8.8.8.8', '2001:db8::1']) expect(trustedProxies.has(address), address).toBe(false);
  });
});

describe('migrate Job, Secrets and eventing wiring', () => {
  it('the Job runs dist/migrate.js once, hardened, with DATABASE_URL from the Secret', () => {
    const pod = job.spec.template.spec as Obj;
    const c = pod.containers[0] as Obj;
    expect(pod.containers).toHaveLength(1);
    expect(c.image).toBe('lakeplane');
    expect(c.command).toEqual(['node', 'dist/migrate.js']);
    expectSecretRef(envOf(c), 'DATABASE_URL', { name: 'lakeplane-database', key: 'url' });
    expect(envOf(c).get('LAKEPLANE_MODE')?.value).toBe('cluster');
    expect(job.spec.backoffLimit).toBeGreaterThan(0);
    expect(job.spec.ttlSecondsAfterFinished).toBeGreaterThan(0);
    expect(['Never', 'OnFailure']).toContain(pod.restartPolicy);
    expect(pod.serviceAccountName).toBe(serviceAccount.metadata.name);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expectHardened('migrate', c.securityContext);
    expectResources('migrate', c);
  });

  it('secrets.example.yaml documents every Secret key the manifests read', () => {
    const refs = [...services.map((s) => containerOf(s.doc)), job.spec.template.spec.containers[0]].flatMap((c: Obj) =>
      (c.env as Obj[]).map((e) => e.valueFrom?.secretKeyRef).filter(Boolean),
    );
    for (const ref of refs) {
      const secret = secrets.find((s) => s.kind === 'Secret' && s.metadata.name === ref.name);
      expect(secret?.stringData?.[ref.key], `${ref.name}/${ref.key}`).toBeTypeOf('string');
    }
  });

  it('PingSource ticks every minute into the Broker; the Trigger routes pings to the events Service', () => {
    const brokerRef = { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: broker.metadata.name };
    expect(pingSource.spec.schedule).toBe('* * * * *');
    expect(pingSource.spec.sink).toEqual({ ref: brokerRef });
    expect(trigger.spec.broker).toBe(broker.metadata.name);
    expect(trigger.spec.filter).toEqual({ attributes: { type: 'dev.knative.sources.ping' } });
    expect(trigger.spec.subscriber).toEqual({
      ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'events' },
      uri: INGEST_PATH,
      audience: 'lakeplane-events',
    });
    expect(services.map((s) => s.doc.metadata.name)).toContain('events');
  });

  it('every event type a function consumes reaches its Service through a Trigger, and no Trigger points elsewhere', async () => {
    const wanted = new Set<string>();
    for (const fn of await loadAllFunctions()) {
      const types = consumersOf(fn).map((c) => c.type);
      // A function that takes every type gets one Trigger without a filter, which covers its other types too.
      for (const type of types.includes('*') ? ['*'] : types) wanted.add(`${type} -> ${fn.name} ${`/cloudevents/${fn.name}`}`);
    }
    const routed = new Set(
      triggers.map((t) => {
        expect(t.spec.broker, t.metadata.name).toBe(broker.metadata.name);
        if (t.spec.filter) expect(Object.keys(t.spec.filter.attributes), t.metadata.name).toEqual(['type']);
        expect(t.spec.subscriber.ref, t.metadata.name).toMatchObject({ apiVersion: 'serving.knative.dev/v1', kind: 'Service' });
        return `${t.spec.filter?.attributes.type ?? '*'} -> ${t.spec.subscriber.ref.name} ${t.spec.subscriber.uri}`;
      }),
    );
    expect([...routed].sort()).toEqual([...wanted].sort());
    expect(new Set(triggers.map((t) => t.metadata.name)).size).toBe(triggers.length);
    expect(kustomization('eventing').resources).toEqual(
      expect.arrayContaining(['triggers-policy-changes.yaml', 'triggers-jobs.yaml', 'apiserversource-sparkapplications.yaml']),
    );
  });

  it('no externally visible Service takes anonymous events; a cluster-local one says so in its labels', () => {
    for (const svc of services) {
      const env = envOf(containerOf(svc.doc));
      const clusterLocal = svc.doc.metadata.labels?.['networking.knative.dev/visibility'] === 'cluster-local';
      if (env.get('LAKEPLANE_INGEST_ALLOW_ANONYMOUS')?.value === 'true')
        expect(clusterLocal, `${svc.file} takes anonymous events while externally visible`).toBe(true);
      if (env.get('LAKEPLANE_INGEST_CLUSTER_LOCAL')?.value === 'true')
        expect(clusterLocal, `${svc.file} declares itself cluster-local without the visibility label`).toBe(true);
    }
    // The Ingress to the gateway is the one public door: no Knative route of a Service is public.
    for (const svc of services) expect(svc.doc.metadata.labels?.['networking.knative.dev/visibility'], svc.file).toBe('cluster-local');
  });

  it("the lakeplane-gateway Service the lakehouses name reaches the gateway's pods on their port, and the Ingress sends every path there", () => {
    const gateway = services.find((s) => s.doc.metadata.name === 'gateway')!.doc;
    const lakehouses = services.find((s) => s.doc.metadata.name === 'lakehouses')!.doc;
    const platformUrl = new URL(envOf(containerOf(lakehouses)).get('LAKEPLANE_LAKEHOUSE_PLATFORM_URL')!.value);
    expect(platformUrl.hostname).toBe(`${gatewayService.metadata.name}.${NAMESPACE}.svc.cluster.local`);
    expect(gatewayService.spec.selector).toEqual({ 'serving.knative.dev/service': gateway.metadata.name });
    const port = (gatewayService.spec.ports as Obj[]).find((p) => p.port === Number(platformUrl.port || 80))!;
    expect(port.targetPort).toBe(containerOf(gateway).ports[0].containerPort);
    expect(platformUrl.protocol).toBe('http:');
    const paths = ingress.spec.rules.flatMap((r: Obj) => r.http.paths) as Obj[];
    expect(paths).toEqual([{ path: '/', pathType: 'Prefix', backend: { service: { name: gatewayService.metadata.name, port: { name: port.name } } } }]);
    // The public host is the issuer's: tokens name the URL clients reach.
    expect(ingress.spec.rules.map((r: Obj) => r.host)).toEqual([new URL(envOf(containerOf(gateway)).get('LAKEPLANE_ISSUER')!.value).hostname]);
    expect(secrets.find((s) => s.metadata.name === ingress.spec.tls[0].secretName)?.type).toBe('kubernetes.io/tls');
  });

  it('each Service admits exactly its own Triggers by their sender identity, for the audience they are given', async () => {
    for (const fn of await loadAllFunctions()) {
      if (consumersOf(fn).length === 0) continue;
      const svc = services.find((x) => x.doc.metadata.name === fn.name)!;
      const env = envOf(containerOf(svc.doc));
      const own = triggers.filter((t) => t.spec.subscriber.ref.name === fn.name);
      expect(env.get('LAKEPLANE_INGEST_OIDC_ISSUER')?.value, fn.name).toMatch(/^https:\/\//);
      const audiences = env.get('LAKEPLANE_INGEST_OIDC_AUDIENCES')?.value.split(',');
      for (const t of own) expect(audiences, `${t.metadata.name} -> ${fn.name}`).toContain(t.spec.subscriber.audience);
      // Knative Eventing's ServiceAccount of a Trigger: <trigger>-oidc-eventing.knative.dev-trigger.
      // A Trigger's dead letters go to its deadLetterSink with the Trigger's own identity: that Service admits it too.
      const senders = triggers.filter((t) => t.spec.subscriber.ref.name === fn.name || t.spec.delivery?.deadLetterSink?.ref?.name === fn.name);
      for (const t of triggers.filter((x) => x.spec.delivery?.deadLetterSink?.ref?.name === fn.name))
        expect(audiences, `${t.metadata.name}'s dead letters -> ${fn.name}`).toContain(t.spec.delivery.deadLetterSink.audience);
      const subjects = env.get('LAKEPLANE_INGEST_OIDC_SUBJECTS')!.value.split(',').sort();
      expect(subjects, fn.name).toEqual(senders.map((t) => `system:serviceaccount:${NAMESPACE}:${t.metadata.name}-oidc-eventing.knative.dev-trigger`).sort());
      // The keys come from the API server, which answers authenticated callers over the cluster's CA.
      const mount = (containerOf(svc.doc).volumeMounts as Obj[]).find((m) => m.name === 'kube-api')!;
      expect(env.get('LAKEPLANE_INGEST_OIDC_TOKEN_FILE')?.value, fn.name).toBe(`${mount.mountPath}/token`);
      expect(env.get('NODE_EXTRA_CA_CERTS')?.value, fn.name).toBe(`${mount.mountPath}/ca.crt`);
      const volume = (svc.doc.spec.template.spec.volumes as Obj[]).find((v) => v.name === 'kube-api')!;
      expect(
        volume.projected.sources.map((x: Obj) => Object.keys(x)[0]),
        fn.name,
      ).toEqual(['serviceAccountToken', 'serviceAccountToken', 'configMap']);
      // What it publishes goes to the Broker with a token for the Broker's audience.
      const brokerToken = volume.projected.sources.find((x: Obj) => x.serviceAccountToken?.path === 'broker-token')!.serviceAccountToken;
      expect(brokerToken.audience, fn.name).toBe(`eventing.knative.dev/broker/${NAMESPACE}/${broker.metadata.name}`);
      expect(env.get('LAKEPLANE_BROKER_TOKEN_FILE')?.value, fn.name).toBe(`${mount.mountPath}/broker-token`);
    }
  });

  it('the ApiServerSource sends SparkApplications of the jobs namespace, whole, to the Broker, and may only read them there', () => {
    expect(apiServerSource.spec).toMatchObject({
      mode: 'Resource',
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'lakeplane-jobs' } },
      resources: [
        { apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication', selector: { matchLabels: { 'app.kubernetes.io/managed-by': 'lakeplane' } } },
      ],
      sink: { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: broker.metadata.name } },
    });
    const sa = sparkSource.find((d) => d.kind === 'ServiceAccount')!;
    const role = sparkSource.find((d) => d.kind === 'Role')!;
    const binding = sparkSource.find((d) => d.kind === 'RoleBinding')!;
    expect(apiServerSource.spec.serviceAccountName).toBe(sa.metadata.name);
    expect(role.metadata.namespace).toBe('lakeplane-jobs');
    expect(role.rules).toEqual([{ apiGroups: ['sparkoperator.k8s.io'], resources: ['sparkapplications'], verbs: ['get', 'list', 'watch'] }]);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: 'lakeplane' }]);
  });

  it('the jobs function may create and delete SparkApplications and read driver logs in the jobs namespace, nothing else', () => {
    const [role, binding] = loadDocs('eventing/jobs-namespace/jobs-runtime.yaml');
    expect(role!.rules).toEqual([
      { apiGroups: ['sparkoperator.k8s.io'], resources: ['sparkapplications'], verbs: ['create', 'delete'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    ]);
    const jobsService = services.find((x) => x.doc.metadata.name === 'jobs')!.doc;
    expect(binding!.subjects).toEqual([{ kind: 'ServiceAccount', name: jobsService.spec.template.spec.serviceAccountName, namespace: 'lakeplane' }]);
    expect(envOf(containerOf(jobsService)).get('LAKEPLANE_JOBS_NAMESPACE')?.value ?? 'lakeplane-jobs').toBe(role!.metadata.namespace);
  });

  it('the lakehouses function may create and delete SparkApplications and Services and read driver logs in the jobs namespace, nothing else', () => {
    const [role, binding] = loadDocs('eventing/jobs-namespace/lakehouses-runtime.yaml');
    expect(role!.rules).toEqual([
      { apiGroups: ['sparkoperator.k8s.io'], resources: ['sparkapplications'], verbs: ['create', 'delete'] },
      { apiGroups: [''], resources: ['services'], verbs: ['create', 'delete'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    ]);
    const lakehouses = services.find((x) => x.doc.metadata.name === 'lakehouses')!.doc;
    expect(binding!.subjects).toEqual([{ kind: 'ServiceAccount', name: lakehouses.spec.template.spec.serviceAccountName, namespace: 'lakeplane' }]);
    expect(envOf(containerOf(lakehouses)).get('LAKEPLANE_JOBS_NAMESPACE')?.value ?? 'lakeplane-jobs').toBe(role!.metadata.namespace);
    expect(kustomization('eventing/jobs-namespace').resources).toContain('lakehouses-runtime.yaml');
  });

  it('the Dockerfile agrees with the manifests on user, port and command', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const last = (instr: string): string | undefined => [...dockerfile.matchAll(new RegExp(`^${instr}\\s+(.+)$`, 'gm'))].at(-1)?.[1]?.trim();
    expect(last('USER')).toBe('10001:10001');
    expect(last('EXPOSE')).toBe('8080');
    expect(JSON.parse(last('CMD') ?? 'null')).toEqual(['node', 'dist/serve.js']);
    for (const s of services) {
      expect(containerOf(s.doc).securityContext.runAsUser, s.file).toBe(10001);
      expect(containerOf(s.doc).ports[0].containerPort, s.file).toBe(8080);
    }
    expect(job.spec.template.spec.securityContext.runAsUser).toBe(10001);
  });

  it('every namespaced object is in the lakeplane namespace', () => {
    expect(namespace.metadata.name).toBe(NAMESPACE);
    for (const d of [serviceAccount, job, gatewayService, ingress, ...secrets, ...services.map((s) => s.doc), ...eventingDocs]) {
      expect(d.metadata.namespace, `${d.kind} ${d.metadata.name}`).toBe(NAMESPACE);
    }
  });
});

const ref = refDir();
const haveRef = prerequisite('Knative CRD schema checks', existsSync(ref) ? undefined : `no reference folder at ${ref} (set LAKEPLANE_SHARED_REF)`);

describe.skipIf(!haveRef)("against Knative's CRD schemas (shared/ref/knative)", () => {
  const validate = haveRef
    ? crdValidator(
        ['serving/service.yaml', 'eventing/broker.yaml', 'eventing/trigger.yaml', 'eventing/pingsource.yaml', 'eventing/apiserversource.yaml'].map((f) =>
          join(ref, 'knative', f),
        ),
      )
    : () => [];
  const iam = services[0]?.doc ?? {};

  it.each([...services.map((s) => [s.file, s.doc] as const), ...eventingDocs.map((d) => [`${d.kind} ${d.metadata.name}`, d] as const)])(
    '%s is valid',
    (_, doc) => expect(validate(doc)).toEqual([]),
  );

  // The serving CRD constrains Service.spec, the RevisionSpec and each container closely (only some pod-level
  // fields behind feature flags are x-kubernetes-preserve-unknown-fields), so these must all be caught.
  it.each([
    [
      'a misspelt spec field',
      (s: Obj) => {
        s.spec.tempalte = s.spec.template;
        delete s.spec.template;
      },
      /tempalte/,
    ],
    [
      'a misspelt container field',
      (s: Obj) => {
        s.spec.template.spec.containers[0].readinesProbe = {};
      },
      /readinesProbe/,
    ],
    [
      'containerConcurrency as a string',
      (s: Obj) => {
        s.spec.template.spec.containerConcurrency = '50';
      },
      /containerConcurrency must be integer/,
    ],
    [
      'env without a name',
      (s: Obj) => {
        s.spec.template.spec.containers[0].env.push({ value: 'x' });
      },
      /env\/\d+ must have required property 'name'/,
    ],
  ])('rejects a Service with %s', (_, breakIt, expected) => {
    const broken = structuredClone(iam);
    breakIt(broken);
    expect(validate(broken).join('\n')).toMatch(expected);
  });

  it('rejects a PingSource with a misspelt spec field', () => {
    const broken = structuredClone(pingSource);
    broken.spec.shedule = broken.spec.schedule;
    expect(validate(broken).join('\n')).toMatch(/shedule/);
  });
});

const k8s = k8sSchemaDir();
const haveK8s = prerequisite(`Kubernetes ${K8S_VERSION} schema checks`, 'missing' in k8s ? k8s.missing : undefined);

describe.skipIf(!haveK8s)(`against Kubernetes ${K8S_VERSION} schemas (strict: unknown fields rejected)`, () => {
  const v = 'dir' in k8s ? k8sValidators(k8s.dir) : undefined;
  const podSpecOf = (svc: Obj): Obj => {
    const spec = structuredClone(svc.spec.template.spec);
    for (const k of KNATIVE_ONLY_POD_FIELDS) delete spec[k];
    return spec;
  };

  it.each([namespace, serviceAccount, job, gatewayService, ingress, networkConfig, ...secrets].map((d) => [`${d.kind} ${d.metadata.name}`, d] as const))(
    '%s is valid',
    (_, doc) => expect(v!.doc(doc)).toEqual([]),
    60_000,
  );

  it.each(services)(
    "$file: the revision's pod spec is a valid PodSpec, its metadata valid ObjectMeta",
    ({ doc }) => {
      expect(v!.definition('io.k8s.api.core.v1.PodSpec', podSpecOf(doc))).toEqual([]);
      expect(v!.definition('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', doc.spec.template.metadata)).toEqual([]);
      expect(v!.definition('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', doc.metadata)).toEqual([]);
    },
    60_000,
  );

  it.each(eventingDocs.map((d) => [`${d.kind} ${d.metadata.name}`, d] as const))('%s: metadata is valid ObjectMeta', (_, doc) => {
    expect(v!.definition('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', doc.metadata)).toEqual([]);
  });

  it('rejects a misspelt field in a Job container', () => {
    const broken = structuredClone(job);
    broken.spec.template.spec.containers[0].securityContext.runAsNonRot = true;
    expect(v!.doc(broken).join('\n')).toMatch(/additional properties.*runAsNonRot/);
  });

  it("catches what Knative's CRD lets through: a pod securityContext is x-kubernetes-preserve-unknown-fields there", () => {
    const broken = structuredClone(services[0]?.doc ?? {});
    broken.spec.template.spec.securityContext = { runAsNonRot: true };
    expect(v!.definition('io.k8s.api.core.v1.PodSpec', podSpecOf(broken)).join('\n')).toMatch(/runAsNonRot/);
  });
});

/** Folders with a kustomization of their own, and the namespace it puts everything in. */
const KUSTOMIZATIONS: Array<[string, string]> = [
  ['knative', NAMESPACE],
  ['eventing', NAMESPACE],
  ['eventing/jobs-namespace', 'lakeplane-jobs'],
];
const ownFolder = (dir: string, file: string) =>
  !KUSTOMIZATIONS.some(([other]) => other !== dir && other.startsWith(`${dir}/`) && file.startsWith(`${other}/`));

describe.each(KUSTOMIZATIONS)('%s/kustomization.yaml', (dir, namespaceOfDir) => {
  const k = kustomization(dir);
  const listed = (k.resources as string[]).map((r) => `${dir}/${r}`);

  it('lists every manifest of the folder (but no *.example.yaml), and only files that exist', () => {
    for (const file of listed) expect(existsSync(join(ROOT, file)), `${file} is listed but missing`).toBe(true);
    const manifests = yamlFilesUnder(dir).filter((f) => ownFolder(dir, f) && !/(^|\/)kustomization\.ya?ml$/.test(f) && !/\.example\.ya?ml$/.test(f));
    expect(
      manifests.filter((f) => !listed.includes(f)),
      'not listed in the kustomization',
    ).toEqual([]);
    expect(
      listed.filter((f) => !manifests.includes(f)),
      'listed but not a manifest of the folder',
    ).toEqual([]);
    expect(k.namespace).toBe(namespaceOfDir);
    if (dir === 'knative') expect((k.images as Obj[]).map((i) => i.name)).toEqual(['lakeplane']);
  });
});

const kustomize = kustomizeCommand();
const haveKustomize = prerequisite('kustomize rendering', 'missing' in kustomize ? kustomize.missing : undefined);

describe.skipIf(!haveKustomize).each(KUSTOMIZATIONS)('%s/ rendered by kustomize', (dir, namespaceOfDir) => {
  it('renders the listed objects, in the namespace, with the image of the images: entry', () => {
    const rendered = parseAllDocuments('run' in kustomize ? kustomize.run(dir) : '').map((d) => d.toJS() as Obj);
    const files = (kustomization(dir).resources as string[]).flatMap((r) => loadDocs(`${dir}/${r}`));
    const id = (d: Obj): string => `${d.kind}/${d.metadata.name}`;
    expect(rendered.map(id).sort()).toEqual(files.map(id).sort());
    for (const d of rendered) if (d.kind !== 'Namespace') expect(d.metadata.namespace, id(d)).toBe(namespaceOfDir);
    const image = (kustomization('knative').images as Obj[])[0]!;
    for (const d of rendered.filter((x) => x.spec?.template?.spec?.containers)) {
      for (const c of d.spec.template.spec.containers as Obj[]) expect(c.image, id(d)).toBe(`${image.newName}:${image.newTag}`);
    }
  });
});

if (REQUIRE_ALL) console.info('LAKEPLANE_REQUIRE_ALL=1: missing prerequisites fail instead of skipping.');
