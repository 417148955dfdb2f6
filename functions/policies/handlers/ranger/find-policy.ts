import type { Executor } from '../../../../shared/db/index.js';
import { NotFoundError } from '../../../../shared/errors/index.js';
import { storedPolicy } from '../../ranger/downloads.js';
import { TAG_SERVICE, toRangerPolicy, type RangerService } from '../../ranger/ranger-policy.js';
import { service } from '../../ranger/services.js';
import { dataPolicyStore, type PolicyKey } from '../../store/data-policy-store.js';

/** Ranger's public API is for platform admins (its routes declare so): nothing more to check on the policy itself. */
export const ADMIN_CHECKED = (): void => undefined;

/**
 * A stored policy by Ranger id, guid or service + name, in the service's JSON. Without a service (by id or guid) it
 * is shown in the trino service (a tag-based one in the tag service), or, for a storage-path policy (which only hive services carry), in the hive service
 * of the first warehouse by name (every hive service carries it alike).
 */
export async function findPolicy(db: Executor, by: PolicyKey, named: RangerService | undefined) {
  const store = dataPolicyStore(db);
  const row = await store.findBy(by);
  const stored = row ? storedPolicy(row) : undefined;
  let svc = named ?? service(stored?.policy.resources.tags ? TAG_SERVICE : 'trino');
  if (!named && stored?.policy.resources.url) svc = service(`hive-${(await store.firstWarehouse()) ?? 'default'}`);
  const ranger = stored ? toRangerPolicy(stored, svc) : undefined;
  if (!stored || !ranger) throw new NotFoundError(`no such policy in service ${svc.name}`);
  return { stored, ranger, svc };
}

/** A policy's path: by Ranger id, by guid, or by service and name. */
export interface PolicyPath {
  id?: number;
  guid?: string;
  servicename?: string;
  policyname?: string;
}

/** The policy a route's path names. */
export function locate(db: Executor, params: PolicyPath) {
  const by: PolicyKey = params.id !== undefined ? { rangerId: params.id } : params.guid !== undefined ? { guid: params.guid } : { name: params.policyname! };
  return findPolicy(db, by, params.servicename !== undefined ? service(params.servicename) : undefined);
}

/** A service's policies in its JSON (those it cannot carry left out), by Ranger id; of one name if given. */
export async function listPolicies(db: Executor, svcName: string | undefined, policyName: string | undefined) {
  const svc = service(svcName ?? 'trino');
  return (await dataPolicyStore(db).all(policyName)).map((r) => toRangerPolicy(storedPolicy(r), svc)).filter((p) => p !== undefined);
}
