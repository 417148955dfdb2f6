import type { Principal } from '../../../shared/auth/index.js';
import type { LakehouseRow } from '../../../shared/db/index.js';
import { ForbiddenError, UnauthenticatedError, UnavailableError } from '../../../shared/errors/index.js';
import type { FunctionServices } from '../../../shared/events/index.js';
import { ensureServing, findLakehouse } from '../../../shared/domains/lakehouses/index.js';
import { platformObject } from '../../../shared/policy/index.js';
import type { LakehouseEndpoints } from '../../../shared/runtime/index.js';

/** A lakehouse a connection may go to now: its start (id/generation) and where its driver listens. */
export interface AdmittedConnection {
  principal: Principal;
  lakehouse: LakehouseRow;
  start: string;
  endpoints: LakehouseEndpoints;
}

export interface ConnectionAttempt {
  lakehouse: string;
  token: string | undefined;
  /** The user name the client gave (HiveServer2); it must be the token's owner, as the driver's authenticator rules. */
  user?: string | undefined;
  /** How the client is told to give a credential, for the 401's message. */
  howToAuthenticate: string;
}

/** How long an admitted connection to a running lakehouse is believed without asking again (each Thrift call and gRPC stream is one). */
const ADMITTED_TTL_MS = 3000;

/**
 * Who may connect to a lakehouse through the edge: exactly who may run statements on it through the SQL statement
 * API. The credential is checked here (a token the platform accepts; for HiveServer2 the user name must be its
 * owner's), then the control policies' `sql:statement:execute` on the lakehouse, so nobody unauthenticated or
 * refused makes a stopped lakehouse start. A stopped one with auto-start on is started, and the connection waits
 * for it up to `waitMs`; then it is 503 (still starting). The driver checks the credential again itself, and the
 * engine enforces the data policies inside Spark.
 */
export class LakehouseAdmission {
  private readonly admitted = new Map<string, { until: number; value: AdmittedConnection }>();

  constructor(
    private readonly platform: FunctionServices,
    private readonly waitMs: number,
  ) {}

  async admit(attempt: ConnectionAttempt): Promise<AdmittedConnection> {
    if (!attempt.token) throw new UnauthenticatedError(`a Lakeplane token is required: ${attempt.howToAuthenticate}`);
    const principal = await this.platform.authenticator.authenticate(`Bearer ${attempt.token}`);
    if (attempt.user !== undefined && attempt.user !== principal.name)
      throw new UnauthenticatedError(`the credential belongs to ${principal.name}, not to ${attempt.user}: connect with user name ${principal.name}`);
    if (principal.scopes && !principal.scopes.includes('sql'))
      throw new ForbiddenError(`this token's scopes (${principal.scopes.join(' ')}) do not include sql, which running statements on a lakehouse needs`);
    const key = `${principal.kind}:${principal.id}/${attempt.lakehouse}`;
    const hit = this.admitted.get(key);
    if (hit && hit.until > Date.now()) return { ...hit.value, principal };
    const row = await findLakehouse(this.platform.store.db, attempt.lakehouse);
    await this.platform.authorizer.authorize(principal, 'sql:statement:execute', platformObject('lakehouses', row.id), { lakehouse: row.name });
    const serving = await ensureServing(this.platform, row, { actor: `${principal.kind}:${principal.name}`, waitMs: this.waitMs });
    if (!serving) {
      const err = new UnavailableError(
        `lakehouse ${row.name} is starting and did not serve within ${Math.round(this.waitMs / 1000)} s; connect again in a moment (GET /api/v1/lakehouses/${row.name} shows its state)`,
      );
      err.headers['retry-after'] = '10';
      throw err;
    }
    const value: AdmittedConnection = {
      principal,
      lakehouse: serving.row,
      start: `${serving.row.id}/${serving.row.generation}`,
      endpoints: serving.endpoints,
    };
    if (this.admitted.size > 10_000) this.admitted.clear();
    this.admitted.set(key, { until: Date.now() + ADMITTED_TTL_MS, value });
    return value;
  }

  /** A call found the driver gone: ask the store again next time. */
  forget(lakehouse: string): void {
    for (const key of this.admitted.keys()) if (key.endsWith(`/${lakehouse}`)) this.admitted.delete(key);
  }
}
