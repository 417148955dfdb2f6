import type { Principal } from '../../../shared/auth/index.js';

/** Who made a change, as the catalog's events name them: "<kind>:<name>". */
export interface Actor {
  name: string;
}

export function actorOf(principal: Principal): Actor {
  return { name: `${principal.kind}:${principal.name}` };
}
