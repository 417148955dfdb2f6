import { plainAddress, type TrustedProxies } from '../../shared/config/index.js';

/**
 * Headers that describe one connection, not the message (RFC 9110 7.6.1), and so never cross a proxy. Host is the
 * upstream's own (Knative routes by it); the client's travels as X-Forwarded-Host. Expect is answered at the edge.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const NOT_FORWARDED = new Set([...HOP_BY_HOP, 'host', 'expect', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-request-id']);

/** A request as the gateway received it, whichever server parsed it. */
export interface ReceivedRequest {
  /** The client's headers: lowercase name and value in turn, repeats kept, in the order they came. */
  readonly headers: readonly string[];
  readonly remoteAddress: string | undefined;
  readonly encrypted: boolean;
}

/**
 * What the function is told of the request (name and value in turn): its own headers less the hop-by-hop ones, the
 * request id, and X-Forwarded-For/Proto/Host. What a client wrote there is kept only when its peer is a trusted proxy
 * (LAKEPLANE_TRUSTED_PROXIES: the ingress in front); the peer is appended, so a function that trusts the gateway reads
 * the client from the right as shared/http/client-address.ts does, and a forged entry stays left of any trusted one.
 */
export function upstreamRequestHeaders(request: ReceivedRequest, requestId: string, trusted: TrustedProxies): string[] {
  const { headers } = request;
  let dropped: Set<string> | undefined;
  let priorFor: string | undefined;
  let priorProto: string | undefined;
  let priorHost: string | undefined;
  let host: string | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    const value = headers[i + 1] as string;
    if (name === 'connection') for (const t of value.split(',')) (dropped ??= new Set()).add(t.trim().toLowerCase());
    else if (name === 'x-forwarded-for') priorFor = priorFor === undefined ? value : `${priorFor}, ${value}`;
    else if (name === 'x-forwarded-proto') priorProto ??= value;
    else if (name === 'x-forwarded-host') priorHost ??= value;
    else if (name === 'host') host ??= value;
  }
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (NOT_FORWARDED.has(name) || dropped?.has(name)) continue;
    out.push(name, headers[i + 1] as string);
  }
  const peer = request.remoteAddress === undefined ? undefined : plainAddress(request.remoteAddress);
  const fromTrustedProxy = peer !== undefined && !trusted.none && trusted.has(peer);
  if (peer !== undefined) out.push('x-forwarded-for', fromTrustedProxy && priorFor ? `${priorFor}, ${peer}` : peer);
  out.push('x-forwarded-proto', (fromTrustedProxy ? firstValue(priorProto) : undefined) ?? (request.encrypted ? 'https' : 'http'));
  const forwardedHost = (fromTrustedProxy ? firstValue(priorHost) : undefined) ?? host;
  if (forwardedHost) out.push('x-forwarded-host', forwardedHost);
  out.push('x-request-id', requestId);
  return out;
}

const firstValue = (v: string | undefined): string | undefined => v?.split(',')[0]?.trim() || undefined;

/** Node's rawHeaders with the names in lowercase: the form upstreamRequestHeaders reads. */
export function lowercaseNames(rawHeaders: readonly string[]): string[] {
  const out = new Array<string>(rawHeaders.length);
  for (let i = 0; i < rawHeaders.length; i += 2) {
    out[i] = (rawHeaders[i] as string).toLowerCase();
    out[i + 1] = rawHeaders[i + 1] as string;
  }
  return out;
}
