import { agentTokenOf } from '../../shared/domains/lakehouses/index.js';
import { ForbiddenError, UnauthenticatedError, type LakeplaneError } from '../../shared/errors/index.js';
import { ingestPath, type MountedRoute } from '../../shared/http/index.js';

/** The operation a lakehouse's driver reports its activity with (functions/lakehouses/routes/action-routes.ts). */
export const AGENT_REPORT_OPERATION = 'lakehouses.agentReport';
const INGEST_PREFIX = ingestPath('');

/**
 * What the gateway answers itself because it must never reach a function from outside: CloudEvent deliveries (the
 * Broker delivers inside the cluster, straight to each Service), and a lakehouse driver's activity reports without the
 * workload token it was started with (the form is checked here; whether it is this lakehouse's current token, the
 * lakehouses function checks against its hash).
 */
export function edgeRefusal(mounted: MountedRoute, authorization: string | undefined): LakeplaneError | undefined {
  if (mounted.route.path.startsWith(INGEST_PREFIX))
    return new ForbiddenError(
      `CloudEvents are delivered inside the cluster by the Knative Broker, straight to ${mounted.route.path}; the gateway does not take them from outside`,
    );
  if (mounted.route.operationId === AGENT_REPORT_OPERATION && !agentTokenOf(authorization))
    return new UnauthenticatedError("a lakehouse's activity report needs the workload token its driver was started with (Bearer lplh_<token>)");
  return undefined;
}
