import { createHash } from 'node:crypto';
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { BundleError, readOpaBundle } from './opa-bundle.js';

export const ALLOW_ENTRYPOINT = 'lakeplane/control/allow';
export const REASONS_ENTRYPOINT = 'lakeplane/control/reasons';

/** What the control policies are asked: who, which platform action, on what, with which request attributes. */
export interface ControlInput {
  principal: { kind: string; id: string; name: string; isAdmin: boolean; groups: readonly string[] };
  action: string;
  resource: string;
  request: Record<string, unknown>;
}

export interface ControlDecision {
  allowed: boolean;
  /** Why not, when the policies say (data.lakeplane.control.reasons). */
  reasons: string[];
}

/**
 * One compiled control policy bundle, evaluated in process by OPA's wasm runtime. Evaluation is synchronous, so one
 * instance serves a whole process (a function handles one request at a time on its event loop); a new bundle is a
 * new engine, swapped in whole, so no decision ever sees half of one.
 */
export class ControlPolicyEngine {
  private constructor(
    private readonly policy: LoadedPolicy,
    readonly digest: string,
    readonly revision: string,
  ) {}

  /** Loads a bundle and proves it answers: both entrypoints exist and a smoke input gets a boolean. */
  static async load(archive: Buffer): Promise<ControlPolicyEngine> {
    const bundle = readOpaBundle(archive);
    for (const e of [ALLOW_ENTRYPOINT, REASONS_ENTRYPOINT]) {
      if (!bundle.entrypoints.includes(e))
        throw new BundleError(
          `bundle: entrypoint ${e} is missing (it has ${bundle.entrypoints.join(', ') || 'none'}); build with -e ${ALLOW_ENTRYPOINT} -e ${REASONS_ENTRYPOINT}`,
        );
    }
    let policy: LoadedPolicy;
    try {
      policy = await loadPolicy(bundle.wasm);
      policy.setData(bundle.data);
    } catch (err) {
      throw new BundleError(`bundle: policy.wasm does not load (${(err as Error).message})`);
    }
    const engine = new ControlPolicyEngine(policy, createHash('sha256').update(archive).digest('hex'), bundle.revision);
    const smoke = engine.decide({
      principal: { kind: 'user', id: '00000000-0000-4000-8000-000000000000', name: 'smoke-test', isAdmin: false, groups: [] },
      action: 'iam:me:read',
      resource: 'iam/me',
      request: {},
    });
    if (typeof smoke.allowed !== 'boolean') throw new BundleError('bundle: the smoke input got no boolean from lakeplane/control/allow');
    return engine;
  }

  decide(input: ControlInput): ControlDecision {
    const first = (entrypoint: string): unknown => {
      const set = this.policy.evaluate(input, entrypoint) as Array<{ result: unknown }> | null;
      if (set === null) throw new Error(`control policy evaluation failed at ${entrypoint}`);
      return set[0]?.result;
    };
    const allowed = first(ALLOW_ENTRYPOINT) === true;
    const reasons = allowed ? [] : ((first(REASONS_ENTRYPOINT) as unknown[] | undefined) ?? []).map(String).sort();
    return { allowed, reasons };
  }
}
