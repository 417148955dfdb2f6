import { ConfigError, parseGatewayUpstreams, type Config } from '../../shared/config/index.js';

/**
 * Where each function is served: its Knative Service in the cluster (http://<function>.<namespace>.svc.cluster.local,
 * as knative/ names them), or the whole map from LAKEPLANE_GATEWAY_UPSTREAMS (one process per function on one machine).
 * The map must name exactly the functions there are: a missing one would be a 404 nobody explains, an extra one a typo.
 */
export function upstreamsOf(config: Config, functionNames: readonly string[]): ReadonlyMap<string, URL> {
  if (config.LAKEPLANE_GATEWAY_UPSTREAMS === undefined) {
    return new Map(functionNames.map((name) => [name, new URL(`http://${name}.${config.LAKEPLANE_GATEWAY_NAMESPACE}.svc.cluster.local`)]));
  }
  const parsed = parseGatewayUpstreams(config.LAKEPLANE_GATEWAY_UPSTREAMS);
  if ('problem' in parsed) throw new ConfigError(`Invalid configuration: LAKEPLANE_GATEWAY_UPSTREAMS ${parsed.problem}`);
  const missing = functionNames.filter((name) => !parsed.upstreams.has(name));
  const unknown = [...parsed.upstreams.keys()].filter((name) => !functionNames.includes(name));
  if (missing.length > 0 || unknown.length > 0) {
    const said = [missing.length > 0 ? `misses ${missing.join(', ')}` : '', unknown.length > 0 ? `names no such function: ${unknown.join(', ')}` : '']
      .filter(Boolean)
      .join('; ');
    throw new ConfigError(`Invalid configuration: LAKEPLANE_GATEWAY_UPSTREAMS ${said} (the functions are ${functionNames.join(', ')})`);
  }
  return parsed.upstreams;
}
