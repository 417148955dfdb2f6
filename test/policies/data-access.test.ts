import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataPolicyInput, DataPolicySet, explainDecision, resourceTags, type DataPolicy, type ExplainedDecision } from '../../shared/policy/index.js';
import { backends } from '../support/databases.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';
import { cases, type DecisionCase, type PolicySpec } from './data-access-cases.js';

/** What a user sees of a decision: allowed or not, by which policy, audit, masks and the row filter. */
interface Seen {
  decision: 'allow' | 'deny';
  policy: string | null;
  audit: boolean;
  masks: Array<{ column: string; type: string; expression?: string }>;
  rowFilter: string | null;
}

function check(c: DecisionCase, seen: Seen): void {
  expect(seen.decision, 'decision').toBe(c.expect.decision);
  if (c.expect.policy !== undefined) expect(seen.policy, 'deciding policy').toBe(c.expect.policy);
  if (c.expect.audit !== undefined) expect(seen.audit, 'audit').toBe(c.expect.audit);
  if (c.expect.masks !== undefined) expect(seen.masks, 'masks').toEqual(c.expect.masks);
  if (c.expect.rowFilter !== undefined) expect(seen.rowFilter, 'row filter').toBe(c.expect.rowFilter);
}

const withDefaults = (spec: PolicySpec) => Value.Default(DataPolicyInput, structuredClone(spec)) as DataPolicyInput;
const subjectOf = (c: DecisionCase) => ({ user: c.subject?.user ?? 'alice', groups: c.subject?.groups ?? [], roles: c.subject?.roles ?? [] });

function seenInProcess(c: DecisionCase, e: ExplainedDecision, byId: Map<string, string>): Seen {
  return {
    decision: e.decision.allowed ? 'allow' : 'deny',
    policy: e.decision.policyId ? (byId.get(e.decision.policyId) ?? null) : null,
    audit: e.decision.audit,
    masks: e.masks.map((m) => ({ column: m.column, type: m.type, ...(m.expression !== undefined ? { expression: m.expression } : {}) })),
    rowFilter: e.rowFilter?.filter ?? null,
  };
}

it('the case table covers at least 60 cases, each with a distinct name', () => {
  expect(cases.length).toBeGreaterThanOrEqual(60);
  expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
});

describe('data access decisions, in process (Ranger semantics)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const policies: DataPolicy[] = c.policies.map((spec, i) => ({
      ...withDefaults(spec),
      id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
      version: 1,
    }));
    const byId = new Map(policies.map((p) => [p.id, p.name]));
    const set = new DataPolicySet(policies, 1);
    const { columns, tags, tagAttributes, ...rest } = c.resource;
    const resource = { ...rest, ...(tags ? { tags: resourceTags(tags, tagAttributes) } : {}) };
    check(
      c,
      seenInProcess(
        c,
        await explainDecision(set, subjectOf(c), c.access, resource, columns, undefined, c.accessTime ? Date.parse(c.accessTime) : undefined),
        byId,
      ),
    );
  });
});

describe.each(backends())('data access decisions through HTTP on %s', (backend) => {
  let p: TestPlatform;
  let admin: string;

  beforeAll(async () => {
    p = await startPlatform(backend);
    admin = await p.adminToken();
  }, 60_000);
  afterAll(async () => p?.close());

  async function replaceAllPolicies(specs: PolicySpec[]): Promise<void> {
    const list = await p.call('GET', '/api/v1/policies?pageSize=500', { token: admin });
    expect(list.status).toBe(200);
    for (const existing of list.body.items) expect((await p.call('DELETE', `/api/v1/policies/${existing.id}`, { token: admin })).status).toBe(204);
    for (const spec of specs) {
      const r = await p.call('POST', '/api/v1/policies', { token: admin, body: spec });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
  }

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await replaceAllPolicies(c.policies);
    const { columns, namespace, ...rest } = c.resource;
    const resource = { ...rest, ...(namespace ? { namespace: [...namespace] } : {}), ...(columns ? { columns } : {}) };
    const r = await p.call('POST', '/api/v1/policies/decide', {
      token: admin,
      body: { principal: subjectOf(c), access: c.access, resource, ...(c.accessTime ? { accessTime: c.accessTime } : {}) },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    check(c, {
      decision: r.body.decision,
      policy: r.body.policyName,
      audit: r.body.audit,
      masks: r.body.masks.map((m: { column: string; type: string; expression?: string }) => ({
        column: m.column,
        type: m.type,
        ...(m.expression !== undefined ? { expression: m.expression } : {}),
      })),
      rowFilter: r.body.rowFilter?.filter ?? null,
    });
  });
});
