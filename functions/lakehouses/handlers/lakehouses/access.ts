import type { Static } from '@sinclair/typebox';
import type { Principal } from '../../../../shared/auth/index.js';
import type { Executor, LakehouseRow } from '../../../../shared/db/index.js';
import { ForbiddenError, UnauthenticatedError } from '../../../../shared/errors/index.js';
import type { FunctionServices } from '../../../../shared/events/index.js';
import type { Check, OperationInput } from '../../../../shared/http/index.js';
import { findLakehouse, specOf, type LakehousePatch, type LakehouseSpec } from '../../../../shared/domains/lakehouses/index.js';
import { platformObject } from '../../../../shared/policy/index.js';
import { lakehouseStore } from '../../store/lakehouse-store.js';

type Verb = 'create' | 'list' | 'read' | 'update' | 'delete' | 'start' | 'stop' | 'restart';
type Ref = { id: string };

/**
 * A lakehouse action asks the control policies, telling them the lakehouse's owner and the executors it may scale to
 * (the shipped Rego lets members manage their own lakehouses and caps executors).
 */
function check(verb: Verb, id: string, lakehouse: { owner: string; spec: Pick<LakehouseSpec, 'executors'> } | undefined): Check {
  return {
    action: `lakehouses:lakehouse:${verb}`,
    resource: platformObject('lakehouses', id),
    request: lakehouse ? { owner: lakehouse.owner, executors: lakehouse.spec.executors.max } : {},
  };
}

export const lakehouseOf = (row: LakehouseRow) => ({ owner: row.owner, spec: specOf(row) });

function callerOf(input: { principal: Principal | undefined }): Principal {
  if (!input.principal) throw new UnauthenticatedError('this route requires a bearer token', undefined);
  return input.principal;
}

export const actorOf = (principal: Principal) => `${principal.kind}:${principal.name}`;

/** Only an admin gives a lakehouse to someone else. */
export function ownerFor(principal: Principal, asked: string | undefined): string {
  if (asked !== undefined && asked !== principal.name && !principal.isAdmin)
    throw new ForbiddenError(`only admins create or give lakehouses owned by someone else (owner ${asked})`);
  return asked ?? principal.name;
}

/**
 * The lakehouse a request names (by id or name; 404), read once: the checks decide on it, and the handler acts on
 * what was decided about (a change of owner since then is refused under the row lock).
 */
export function lakehouseNamed(
  request: { readonly params: Ref; once<T>(name: string, load: () => Promise<T>): Promise<T> },
  db: Executor,
): Promise<LakehouseRow> {
  return request.once('lakehouse', () => findLakehouse(db, request.params.id));
}

/** An action on one lakehouse, decided on it as it is. */
export const onLakehouse = (verb: Verb) => async (input: OperationInput<Ref, unknown, unknown>, services: FunctionServices) => {
  const row = await lakehouseNamed(input, services.store.db);
  return [check(verb, row.id, lakehouseOf(row))];
};

/** Creating one: whose it will be (only admins give it to someone else) and the executors it asks for. */
export const createChecks = ({ body, ...input }: OperationInput<unknown, unknown, LakehouseSpec>) => [
  check('create', body.name, { owner: ownerFor(callerOf(input), body.owner), spec: body }),
];

/**
 * Changing one: on the lakehouse as it is, and on what it becomes (its owner and executors). A change of owner the
 * caller may not make is refused by the handler once the first check passed, as before, with its own reason.
 */
export const updateChecks = async (input: OperationInput<Ref, unknown, Static<typeof LakehousePatch>>, services: FunctionServices) => {
  const { body, principal } = input;
  const current = await lakehouseNamed(input, services.store.db);
  const first = check('update', current.id, lakehouseOf(current));
  const caller = callerOf({ principal });
  if (body.owner !== undefined && body.owner !== caller.name && !caller.isAdmin) return [first];
  const executors = { ...lakehouseOf(current).spec.executors, ...(body.executors ?? {}) };
  return [first, check('update', current.id, { owner: body.owner ?? current.owner, spec: { executors } })];
};

/** A lakehouse's activity, or a deleted one's, by id: it outlives the lakehouse. */
export async function activityOf(request: Parameters<typeof lakehouseNamed>[0], db: Executor): Promise<{ id: string; row: LakehouseRow | undefined }> {
  const { params } = request;
  try {
    const row = await lakehouseNamed(request, db);
    return { id: row.id, row };
  } catch (err) {
    // A deleted lakehouse keeps its history: found by id in it.
    const kept = /^[0-9a-f-]{36}$/i.test(params.id) && (await lakehouseStore(db).hasActivity(params.id));
    if (!kept) throw err;
    return { id: params.id, row: undefined };
  }
}

export const activityChecks = async (input: OperationInput<Ref, unknown, unknown>, services: FunctionServices) => {
  const { id, row } = await activityOf(input, services.store.db);
  return [check('read', id, row ? lakehouseOf(row) : undefined)];
};
