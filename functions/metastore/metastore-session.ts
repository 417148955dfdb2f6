import type { Principal } from '../../shared/auth/index.js';
import type { Platform } from '../../shared/platform/index.js';

/** One client connection to the metastore: what its calls act on and for whom. */
export interface MetastoreSession {
  readonly platform: Platform;
  /** The warehouse whose namespaces are this connection's databases (undefined: the first warehouse by name). */
  readonly warehouse: string | undefined;
  /** Who the connection acts for, once set_ugi presented a credential the platform accepts. */
  principal: Principal | undefined;
  /**
   * The credential set_ugi presented. Hive's clients also write their user name as the owner of what they create:
   * that owner is recorded as the principal's name instead (ownerOf), so no token is ever kept in metadata.
   */
  credential: string | undefined;
}

/** An owner a client sent, with the connection's own credential replaced by its principal's name. */
export function ownerOf(s: MetastoreSession, owner: string | undefined): string | undefined {
  if (owner !== undefined && s.credential !== undefined && owner === s.credential) return s.principal?.name;
  return owner;
}

/** Who a session's changes are recorded as (events' actor). */
export function actorOf(s: MetastoreSession): string {
  return s.principal ? `${s.principal.kind}:${s.principal.name}` : 'metastore:unauthenticated';
}
