import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** What the local cluster takes from a function's Knative Service manifest (knative/services/<name>.yaml). */
export interface KnativeServiceSettings {
  readonly file: string;
  readonly namespace: string;
  /** LAKEPLANE_INGEST_OIDC_AUDIENCES and _SUBJECTS as the manifest sets them: who may deliver events to it. */
  readonly ingestAudiences: readonly string[] | undefined;
  readonly ingestSubjects: readonly string[] | undefined;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The Service's namespace and the senders it accepts are read from its manifest, not restated here: a Trigger that
 * the cluster's Service would refuse is refused locally too.
 */
export function knativeService(root: string, name: string): KnativeServiceSettings {
  const file = path.join('knative', 'services', `${name}.yaml`);
  let text: string;
  try {
    text = readFileSync(path.join(root, file), 'utf8');
  } catch {
    throw new Error(`${file} is missing: every function deploys as a Knative Service`);
  }
  const doc = parseAllDocuments(text, { version: '1.1' });
  const service = (Array.isArray(doc) ? doc : [doc]).map((d) => d.toJS() as unknown).find((d) => isObj(d) && d['kind'] === 'Service');
  if (!isObj(service) || !isObj(service['metadata'])) throw new Error(`${file} has no Knative Service`);
  const containers = (((service['spec'] as Obj | undefined)?.['template'] as Obj | undefined)?.['spec'] as Obj | undefined)?.['containers'];
  const env = Array.isArray(containers) && isObj(containers[0]) && Array.isArray(containers[0]['env']) ? (containers[0]['env'] as unknown[]) : [];
  const value = (key: string) => {
    const entry = env.find((e) => isObj(e) && e['name'] === key) as Obj | undefined;
    return typeof entry?.['value'] === 'string'
      ? entry['value']
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : undefined;
  };
  return {
    file,
    namespace: typeof service['metadata']['namespace'] === 'string' ? service['metadata']['namespace'] : 'default',
    ingestAudiences: value('LAKEPLANE_INGEST_OIDC_AUDIENCES'),
    ingestSubjects: value('LAKEPLANE_INGEST_OIDC_SUBJECTS'),
  };
}
