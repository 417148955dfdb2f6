import type { Principal } from '../../auth/index.js';
import { ForbiddenError } from '../../errors/index.js';
import type { PlatformRules } from '../authorize.js';
import type { DecisionLog } from '../decision-log.js';
import { VersionWatcher } from '../version-watcher.js';
import type { ControlPolicyStore } from './control-policy-store.js';
import type { ControlDecision, ControlInput, ControlPolicyEngine } from './control-engine.js';

/** The bundle shipped with Lakeplane, compiled from functions/policies/rego (imported on first use). */
export async function shippedControlBundle(): Promise<Buffer> {
  const { DEFAULT_CONTROL_BUNDLE } = await import('./default-bundle.generated.js');
  return Buffer.from(DEFAULT_CONTROL_BUNDLE.base64, 'base64');
}

export async function loadControlEngine(archive: Buffer): Promise<ControlPolicyEngine> {
  const { ControlPolicyEngine } = await import('./control-engine.js');
  return ControlPolicyEngine.load(archive);
}

interface InForce {
  /** policy_state.control_version when this bundle was read. */
  readonly version: number;
  readonly bundleId: string | null;
  readonly engine: ControlPolicyEngine;
  /**
   * Decisions of this engine by input. A control decision depends on its input and the bundle only, and the same
   * few inputs repeat (a service asking about itself), so each is evaluated once per bundle; the wasm call with its
   * JSON round trip costs more than the whole rest of a decide request.
   */
  readonly memo: Map<string, ControlDecision>;
}

const MEMO_MAX = 10_000;

/**
 * Platform actions decided by the control policies (Rego, compiled to wasm) of the bundle in force: an uploaded one
 * an admin activated, else the shipped one. The process asks the store which is in force at most once per refresh
 * interval (activations in this process apply at once); a new bundle is loaded and checked completely before it
 * replaces the old engine in one assignment, so a decision never sees half of one. OPA's wasm runtime is imported
 * on first use, outside the cold start.
 */
export class ControlPolicyAuthorizer implements PlatformRules {
  private readonly watcher: VersionWatcher<InForce>;

  constructor(
    store: ControlPolicyStore,
    refreshMs: number,
    private readonly decisionLog?: DecisionLog,
  ) {
    this.watcher = new VersionWatcher(
      refreshMs,
      async () => (await store.inForce()).version,
      async () => {
        const s = await store.inForce();
        const archive = s.bundleId ? await store.archive(s.bundleId) : await shippedControlBundle();
        // Loaded and checked completely before it replaces the engine in force.
        return { version: s.version, bundleId: s.bundleId, engine: await loadControlEngine(archive), memo: new Map() };
      },
    );
  }

  invalidate(): void {
    this.watcher.invalidate();
  }

  async decide(input: ControlInput): Promise<ControlDecision & { controlVersion: number; bundleId: string | null }> {
    const f = await this.watcher.get();
    const key = JSON.stringify(input);
    let d = f.memo.get(key);
    if (!d) {
      d = f.engine.decide(input);
      if (f.memo.size >= MEMO_MAX) f.memo.delete(f.memo.keys().next().value!);
      f.memo.set(key, d);
    }
    return { allowed: d.allowed, reasons: [...d.reasons], controlVersion: f.version, bundleId: f.bundleId };
  }

  async authorize(principal: Principal, action: string, resource: string, request: Record<string, unknown> = {}): Promise<void> {
    const input = {
      principal: { kind: principal.kind, id: principal.id, name: principal.name, isAdmin: principal.isAdmin, groups: principal.groups },
      action,
      resource,
      request,
    };
    const d = await this.decide(input);
    // Every refusal of a platform action is logged, with the bundle that refused.
    if (!d.allowed) {
      this.decisionLog?.record({
        kind: 'control',
        principal: `${principal.kind}:${principal.name}`,
        action,
        resource,
        allowed: false,
        setVersion: d.controlVersion,
        input: { ...input },
        result: { allowed: false, reasons: d.reasons, bundle: d.bundleId ?? 'shipped' },
      });
    }
    if (!d.allowed) throw new ForbiddenError(`${principal.name} may not ${action} on ${resource}${d.reasons.length > 0 ? `: ${d.reasons.join('; ')}` : ''}`);
  }
}
