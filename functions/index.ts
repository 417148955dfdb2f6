import type { LakeplaneFunction } from '../shared/http/index.js';
import { catalog } from './catalog/index.js';
import { events } from './events/index.js';
import { history } from './history/index.js';
import { iam } from './iam/index.js';
import { jobs } from './jobs/index.js';
import { lakehouses } from './lakehouses/index.js';
import { metastore } from './metastore/index.js';
import { policies } from './policies/index.js';
import { scheduler } from './scheduler/index.js';
import { sql } from './sql/index.js';
import { webhooks } from './webhooks/index.js';

/** Every deployable function. FUNCTION_TARGET picks one; embedded mode serves them all. */
export const allFunctions: readonly LakeplaneFunction[] = [iam, catalog, events, policies, jobs, history, scheduler, webhooks, lakehouses, sql, metastore];

export function findFunction(name: string): LakeplaneFunction | undefined {
  return allFunctions.find((f) => f.name === name);
}
