/**
 * LAKEPLANE_GATEWAY_UPSTREAMS: where each function is served, {"iam":"http://127.0.0.1:8101",...}. Read here so a bad
 * value stops any process at start with the variable named, not the gateway at its first request.
 */
export function parseGatewayUpstreams(text: string): { upstreams: ReadonlyMap<string, URL> } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problem: 'is not JSON: give an object such as {"iam":"http://127.0.0.1:8101"}' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { problem: 'must be a JSON object of function name to URL' };
  const upstreams = new Map<string, URL>();
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') return { problem: `names ${name} with a ${typeof value}, not a URL` };
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return { problem: `names ${name} with ${JSON.stringify(value)}, which is not a URL` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: `names ${name} with ${value}: only http and https are served` };
    if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username)
      return { problem: `names ${name} with ${value}: give an origin only (scheme, host and port); the path is the request's` };
    upstreams.set(name, url);
  }
  return { upstreams };
}
