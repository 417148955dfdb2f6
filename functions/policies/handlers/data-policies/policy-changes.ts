import type { DataPolicyRow, Tx } from '../../../../shared/db/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../../shared/errors/index.js';
import type { FunctionServices } from '../../../../shared/events/index.js';
import { PolicyEvents, type DataPolicyInput } from '../../../../shared/policy/index.js';
import { policyProblems } from '../../domain/policy-rules.js';
import { dataPolicyStore, type PolicyChange } from '../../store/data-policy-store.js';

/**
 * A data policy's changes, as the policy API and Ranger's public API both make them: in the request's transaction,
 * with the set's new version, the policy's history entry and the change's event. The caller drops the process's
 * policy cache once the transaction committed.
 */

export function toApi(row: DataPolicyRow) {
  return {
    ...(row.document as unknown as DataPolicyInput),
    id: row.id,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
    updatedBy: row.updated_by,
  };
}

export function validate(input: DataPolicyInput): void {
  const problems = policyProblems(input);
  if (problems.length > 0) throw new ValidationError(problems);
}

/** Checks the caller may change the policy as it is now (under its row lock); throws if not. Must not query. */
export type MayManage = (current: DataPolicyInput) => void;

/** Bumps the set's version (the row lock also queues concurrent policy writes) and records the change. */
async function recordChange(platform: FunctionServices, tx: Tx, row: DataPolicyRow, change: PolicyChange, actor: string): Promise<void> {
  const store = dataPolicyStore(tx);
  const setVersion = await store.bumpSetVersion();
  await store.recordHistory(row, change, setVersion, actor);
  await platform.outbox.publish(tx, {
    type: PolicyEvents.dataPolicyChanged,
    subject: `policies/${row.id}`,
    data: { policyId: row.id, name: row.name, version: row.version, policySetVersion: setVersion, change, actor },
  });
}

function checkVersion(current: DataPolicyRow, expected: number | undefined): void {
  if (expected !== undefined && expected !== current.version) {
    throw new ConflictError(`data policy ${current.id} is at version ${current.version}, not ${expected}: someone changed it; read it again and retry`);
  }
}

export async function createPolicy(platform: FunctionServices, tx: Tx, input: DataPolicyInput, actor: string): Promise<DataPolicyRow> {
  validate(input);
  const created = await dataPolicyStore(tx).create(input, actor);
  await recordChange(platform, tx, created, 'create', actor);
  return created;
}

export async function replacePolicy(
  platform: FunctionServices,
  tx: Tx,
  id: string,
  input: DataPolicyInput,
  expectedVersion: number | undefined,
  actor: string,
  mayManage: MayManage,
): Promise<DataPolicyRow> {
  validate(input);
  const store = dataPolicyStore(tx);
  const current = await store.lock(id);
  if (!current) throw new NotFoundError(`data policy ${id} does not exist`);
  mayManage(current.document as unknown as DataPolicyInput);
  checkVersion(current, expectedVersion);
  const updated = await store.replace(id, input, current.version + 1, actor);
  await recordChange(platform, tx, updated, 'update', actor);
  return updated;
}

export async function deletePolicy(
  platform: FunctionServices,
  tx: Tx,
  id: string,
  expectedVersion: number | undefined,
  actor: string,
  mayManage: MayManage,
): Promise<void> {
  const store = dataPolicyStore(tx);
  const current = await store.lock(id);
  if (!current) throw new NotFoundError(`data policy ${id} does not exist`);
  mayManage(current.document as unknown as DataPolicyInput);
  checkVersion(current, expectedVersion);
  await store.delete(id);
  await recordChange(platform, tx, { ...current, version: current.version + 1 }, 'delete', actor);
}

/** A policy by id, as the API shows it; 404 when there is none. */
export async function requirePolicy(db: Parameters<typeof dataPolicyStore>[0], id: string): Promise<DataPolicyRow> {
  const row = await dataPolicyStore(db).find(id);
  if (!row) throw new NotFoundError(`data policy ${id} does not exist`);
  return row;
}

export const actorOf = (principal: { kind: string; name: string }) => `${principal.kind}:${principal.name}`;
