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

/** A decision, with the bundle that made it. */
type Decided = ControlDecision & { controlVersion: number; bundleId: string | null };

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

  async decide(input: ControlInput): Promise<Decided> {
    return decideWith(await this.watcher.get(), input);
  }

  async authorize(principal: Principal, action: string, resource: string, request: Record<string, unknown> = {}): Promise<void> {
    const input = controlInput(principal, action, resource, request);
    this.enforce(principal, input, decideWith(await this.watcher.get(), input));
  }

  /**
   * authorize() with the bundle this process has loaded, without asking the store whether another is in force: for a
   * decision made inside a transaction. Asking there takes a second connection while the transaction holds one: on
   * PGlite, whose one connection the transaction holds until it ends, that waits forever (the request, and every
   * query after it, hang); on PostgreSQL it waits for the pool. The request's declared checks, made just before its
   * transaction opened, brought the bundle up to date, so the decision is as fresh as the request. Only a process that
   * has decided nothing yet loads the bundle here, as authorize() does.
   */
  async authorizeAsLoaded(principal: Principal, action: string, resource: string, request: Record<string, unknown> = {}): Promise<void> {
    const input = controlInput(principal, action, resource, request);
    this.enforce(principal, input, decideWith(this.watcher.loaded() ?? (await this.watcher.get()), input));
  }

  private enforce(principal: Principal, input: ControlInput, d: Decided): void {
    // Every refusal of a platform action is logged, with the bundle that refused.
    if (!d.allowed) {
      this.decisionLog?.record({
        kind: 'control',
        principal: `${principal.kind}:${principal.name}`,
        action: input.action,
        resource: input.resource,
        allowed: false,
        setVersion: d.controlVersion,
        input: { ...input },
        result: { allowed: false, reasons: d.reasons, bundle: d.bundleId ?? 'shipped' },
      });
      throw new ForbiddenError(`${principal.name} may not ${input.action} on ${input.resource}${d.reasons.length > 0 ? `: ${d.reasons.join('; ')}` : ''}`);
    }
  }
}

function controlInput(principal: Principal, action: string, resource: string, request: Record<string, unknown>): ControlInput {
  return {
    principal: { kind: principal.kind, id: principal.id, name: principal.name, isAdmin: principal.isAdmin, groups: principal.groups },
    action,
    resource,
    request,
  };
}

/** The decision of the bundle `f` on `input`, evaluated once per bundle and input (InForce.memo). */
function decideWith(f: InForce, input: ControlInput): Decided {
  const key = JSON.stringify(input);
  let d = f.memo.get(key);
  if (!d) {
    d = f.engine.decide(input);
    if (f.memo.size >= MEMO_MAX) f.memo.delete(f.memo.keys().next().value!);
    f.memo.set(key, d);
  }
  return { allowed: d.allowed, reasons: [...d.reasons], controlVersion: f.version, bundleId: f.bundleId };
}
