import type { FieldProblem } from '../../../shared/errors/index.js';
import {
  conditionProblems,
  isKnownTimeZone,
  recurrenceProblemsOf,
  URL_ACCESS_TYPES,
  urlValueProblem,
  wallTimeToInstant,
  type DataPolicyInput,
} from '../../../shared/policy/index.js';
import { sqlExpressionProblem } from './sql-expression.js';

const problem = (field: string, message: string): FieldProblem => ({ in: 'body', field, message });

/**
 * What the schema cannot say about a data policy: which resources and items each policy type needs, that every item
 * names someone, that expressions are expressions and validity windows are real. Every problem is reported at once.
 */
export function policyProblems(p: DataPolicyInput): FieldProblem[] {
  const out: FieldProblem[] = [];
  const r = p.resources;
  const levels = (['warehouse', 'namespace', 'table', 'column'] as const).filter((l) => r[l] !== undefined);
  if (r.url) return [...urlPolicyProblems(p, levels.length > 0), ...itemProblems(p), ...validityProblems(p)];
  if (r.tags && levels.length > 0)
    out.push(problem('resources', 'a policy is either tag-based (tags) or resource-based (warehouse, namespace, table, column), not both'));
  if (!r.tags && levels.length === 0) out.push(problem('resources', 'must name at least a warehouse (use ["*"] for all), tags or a url'));
  if (!r.tags && levels.length > 0 && r.warehouse === undefined)
    out.push(problem('resources.warehouse', 'is required when namespace, table or column is given'));
  if (r.table && !r.namespace) out.push(problem('resources.namespace', 'is required when table is given'));
  if (r.tags && r.coversBelow !== undefined) out.push(problem('resources.coversBelow', 'applies to resource-based policies only'));
  if (r.column && !r.table) out.push(problem('resources.table', 'is required when column is given'));
  for (const l of ['warehouse', 'table', 'column'] as const)
    if (r[l]?.recursive) out.push(problem(`resources.${l}.recursive`, 'only namespaces nest: recursive applies to resources.namespace'));

  out.push(...itemProblems(p));
  for (const key of ['allow', 'deny', 'allowExceptions', 'denyExceptions'] as const) {
    p[key].forEach((item, i) => {
      const fileAccess = item.accesses.filter((a) => (URL_ACCESS_TYPES as readonly string[]).includes(a));
      if (fileAccess.length > 0) out.push(problem(`${key}.${i}.accesses`, `${fileAccess.join(' and ')} apply to storage paths (resources.url) only`));
    });
  }

  if (p.type === 'access') {
    if (p.masks.length > 0) out.push(problem('masks', 'belong to masking policies (type "masking")'));
    if (p.rowFilters.length > 0) out.push(problem('rowFilters', 'belong to row-filter policies (type "row-filter")'));
    if (p.allow.length + p.deny.length === 0 && !p.denyAllElse)
      out.push(problem('allow', 'an access policy needs at least one allow or deny item (or denyAllElse)'));
  } else {
    if (p.denyAllElse) out.push(problem('denyAllElse', 'applies to access policies only'));
    for (const key of ['allow', 'deny', 'allowExceptions', 'denyExceptions'] as const)
      if (p[key].length > 0) out.push(problem(key, `belong to access policies; a ${p.type} policy has ${p.type === 'masking' ? 'masks' : 'rowFilters'} only`));
  }
  if (p.type === 'masking') {
    if (p.masks.length === 0) out.push(problem('masks', 'a masking policy needs at least one mask item'));
    if (!r.tags && (!r.column || !r.table)) out.push(problem('resources.column', 'a masking policy names the warehouse, namespace, table and column it masks'));
    p.masks.forEach((m, i) => {
      if (m.type === 'CUSTOM') {
        if (!m.expression) out.push(problem(`masks.${i}.expression`, 'is required for a CUSTOM mask'));
        else {
          const why = sqlExpressionProblem(m.expression);
          if (why) out.push(problem(`masks.${i}.expression`, why));
        }
      } else if (m.expression !== undefined) out.push(problem(`masks.${i}.expression`, `only CUSTOM masks take an expression; ${m.type} has its own`));
    });
  }
  if (p.type === 'row-filter') {
    if (p.rowFilters.length === 0) out.push(problem('rowFilters', 'a row-filter policy needs at least one row filter item'));
    if (!r.tags && !r.table) out.push(problem('resources.table', 'a row-filter policy names the table it filters'));
    if (r.column) out.push(problem('resources.column', 'a row filter applies to whole rows: no column'));
    p.rowFilters.forEach((f, i) => {
      const why = sqlExpressionProblem(f.filter);
      if (why) out.push(problem(`rowFilters.${i}.filter`, why));
    });
  }

  out.push(...validityProblems(p));
  return out;
}

/** Every item names someone, and every condition is one Lakeplane evaluates. */
function itemProblems(p: DataPolicyInput): FieldProblem[] {
  const out: FieldProblem[] = [];
  const items = {
    allow: p.allow,
    deny: p.deny,
    allowExceptions: p.allowExceptions,
    denyExceptions: p.denyExceptions,
    masks: p.masks,
    rowFilters: p.rowFilters,
  };
  for (const [key, list] of Object.entries(items)) {
    list.forEach((item, i) => {
      if (item.users.length + item.groups.length + item.roles.length === 0) out.push(problem(`${key}.${i}`, 'must name at least one user, group or role'));
      for (const c of conditionProblems(item.conditions, p.resources.tags !== undefined)) out.push(problem(`${key}.${i}.conditions.${c.field}`, c.message));
    });
  }
  for (const c of conditionProblems(p.conditions, p.resources.tags !== undefined)) out.push(problem(`conditions.${c.field}`, c.message));
  return out;
}

/** A storage-path policy (Ranger's hive url): url alone, an access policy, read and write (or all). */
function urlPolicyProblems(p: DataPolicyInput, withLevels: boolean): FieldProblem[] {
  const out: FieldProblem[] = [];
  const r = p.resources;
  if (withLevels || r.tags)
    out.push(
      problem('resources', "a url policy names storage paths only: no warehouse, namespace, table, column or tags (Ranger's url is a hierarchy of its own)"),
    );
  if (r.coversBelow !== undefined) out.push(problem('resources.coversBelow', 'applies to catalog policies only; url has recursive'));
  r.url!.values.forEach((value, i) => {
    const why = urlValueProblem(value);
    if (why) out.push(problem(`resources.url.values.${i}`, why));
  });
  if (p.type !== 'access' || p.masks.length + p.rowFilters.length > 0)
    out.push(problem('type', 'url policies are access policies: storage paths have no columns to mask or rows to filter'));
  for (const key of ['allow', 'deny', 'allowExceptions', 'denyExceptions'] as const) {
    p[key].forEach((item, i) => {
      const other = item.accesses.filter((a) => a !== 'all' && !(URL_ACCESS_TYPES as readonly string[]).includes(a));
      if (other.length > 0) out.push(problem(`${key}.${i}.accesses`, `a url policy grants read and write (or all), not ${other.join(', ')}`));
    });
  }
  if (p.type === 'access' && p.allow.length + p.deny.length === 0 && !p.denyAllElse)
    out.push(problem('allow', 'an access policy needs at least one allow or deny item (or denyAllElse)'));
  return out;
}

function validityProblems(p: DataPolicyInput): FieldProblem[] {
  const out: FieldProblem[] = [];
  p.validity.forEach((v, i) => {
    if (!isKnownTimeZone(v.timeZone)) return void out.push(problem(`validity.${i}.timeZone`, `"${v.timeZone}" is not a known time zone`));
    const from = v.start !== undefined ? wallTimeToInstant(v.start, v.timeZone) : undefined;
    const until = v.end !== undefined ? wallTimeToInstant(v.end, v.timeZone) : undefined;
    if (v.start !== undefined && from === undefined) out.push(problem(`validity.${i}.start`, 'is not a real date and time'));
    if (v.end !== undefined && until === undefined) out.push(problem(`validity.${i}.end`, 'is not a real date and time'));
    if (v.start === undefined && v.end === undefined && (v.recurrences ?? []).length === 0)
      out.push(problem(`validity.${i}`, 'needs a start, an end or recurrences'));
    if (from !== undefined && until !== undefined && from >= until) out.push(problem(`validity.${i}.end`, 'must be after start'));
    for (const r of recurrenceProblemsOf(v)) out.push(problem(`validity.${i}.${r.field}`, r.message));
  });
  return out;
}
