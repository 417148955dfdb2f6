import type { Platform } from '../../shared/platform/index.js';

/** One client connection to the metastore: what its calls act on and for whom. */
export interface MetastoreSession {
  readonly platform: Platform;
  /** The warehouse whose namespaces are this connection's databases (undefined: the first warehouse by name). */
  readonly warehouse: string | undefined;
  /** Who the connection's changes are recorded as (events' actor). */
  readonly actor: string;
  /** set_ugi's user name: recorded as the owner of what the connection creates when it names none; grants nothing. */
  user: string | undefined;
}
