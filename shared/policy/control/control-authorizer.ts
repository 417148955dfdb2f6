import type { Principal } from '../../auth/index.js';
import { ForbiddenError } from '../../errors/index.js';
import type { Authorizer } from '../authorize.js';
import type { ControlPolicyEngine } from './control-engine.js';

/**
 * Platform actions decided by the control policies (Rego, compiled to wasm). The engine, OPA's wasm runtime and the
 * shipped bundle are imported and compiled on first use, so a function's cold start does not pay for them. Until
 * bundles can be uploaded, the shipped one is the one in force.
 */
export class ControlPolicyAuthorizer implements Authorizer {
  private engine: Promise<ControlPolicyEngine> | undefined;

  private current(): Promise<ControlPolicyEngine> {
    this.engine ??= (async () => {
      const [{ ControlPolicyEngine: Engine }, { DEFAULT_CONTROL_BUNDLE }] = await Promise.all([import('./control-engine.js'), import('./default-bundle.generated.js')]);
      return Engine.load(Buffer.from(DEFAULT_CONTROL_BUNDLE.base64, 'base64'));
    })();
    return this.engine;
  }

  async authorize(principal: Principal, action: string, resource: string, request: Record<string, unknown> = {}): Promise<void> {
    const engine = await this.current();
    const d = engine.decide({ principal: { kind: principal.kind, id: principal.id, name: principal.name, isAdmin: principal.isAdmin, groups: principal.groups }, action, resource, request });
    if (!d.allowed) throw new ForbiddenError(`${principal.name} may not ${action} on ${resource}${d.reasons.length > 0 ? `: ${d.reasons.join('; ')}` : ''}`);
  }
}
