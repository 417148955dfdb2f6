import { plainAddress, type TrustedProxies } from '../../shared/config/index.js';
import { HOP_BY_HOP } from './http1/hop-by-hop.js';

/**
 * Never forwarded to a function: the hop-by-hop headers; Host, which is the upstream's own (Knative routes by it;
 * the client's travels as X-Forwarded-Host); Expect, answered at the edge; and what the gateway sets itself.
 */
const NOT_FORWARDED = new Set([...HOP_BY_HOP, 'host', 'expect', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-request-id']);

/** A request as the gateway received it, whichever server parsed it. */
export interface ReceivedRequest {
  /** The client's header lines ("Name: value"), repeats kept, in the order they came. */
  readonly lines: readonly string[];
  readonly remoteAddress: string | undefined;
  readonly encrypted: boolean;
}

/** First letters (lowercase) of the names read or dropped here: any other line is forwarded as it is, unread. */
const READ_FIRST = new Set(['c', 'e', 'h', 'k', 'p', 't', 'u', 'x'].map((c) => c.charCodeAt(0)));

/**
 * What the function is told of the request (header lines): the client's own less the hop-by-hop ones, the request
 * id, and X-Forwarded-For/Proto/Host. What a client wrote there is kept only when its peer is a trusted proxy
 * (LAKEPLANE_TRUSTED_PROXIES: the ingress in front); the peer is appended, so a function that trusts the gateway reads
 * the client from the right as shared/http/client-address.ts does, and a forged entry stays left of any trusted one.
 */
export function upstreamRequestHeaders(request: ReceivedRequest, requestId: string, trusted: TrustedProxies): string[] {
  let dropped: Set<string> | undefined;
  let priorFor: string | undefined;
  let priorProto: string | undefined;
  let priorHost: string | undefined;
  let host: string | undefined;
  const out: string[] = [];
  for (const line of request.lines) {
    if (!READ_FIRST.has(line.charCodeAt(0) | 0x20)) {
      out.push(line);
      continue;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'connection') {
      // "keep-alive" alone names no header this function would see (it is hop-by-hop already): nothing to drop.
      if (value.includes(',') || !HOP_BY_HOP.has(value.toLowerCase())) for (const t of value.split(',')) (dropped ??= new Set()).add(t.trim().toLowerCase());
    } else if (name === 'x-forwarded-for') priorFor = priorFor === undefined ? value : `${priorFor}, ${value}`;
    else if (name === 'x-forwarded-proto') priorProto ??= value;
    else if (name === 'x-forwarded-host') priorHost ??= value;
    else if (name === 'host') host ??= value;
    if (!NOT_FORWARDED.has(name)) out.push(line);
  }
  if (dropped) {
    for (let i = out.length - 1; i >= 0; i--) {
      const line = out[i] as string;
      if (dropped.has(line.slice(0, line.indexOf(':')).toLowerCase())) out.splice(i, 1);
    }
  }
  const peer = request.remoteAddress === undefined ? undefined : plainAddress(request.remoteAddress);
  const fromTrustedProxy = peer !== undefined && !trusted.none && trusted.has(peer);
  if (peer !== undefined) out.push(`x-forwarded-for: ${fromTrustedProxy && priorFor ? `${priorFor}, ${peer}` : peer}`);
  out.push(`x-forwarded-proto: ${(fromTrustedProxy ? firstValue(priorProto) : undefined) ?? (request.encrypted ? 'https' : 'http')}`);
  const forwardedHost = (fromTrustedProxy ? firstValue(priorHost) : undefined) ?? host;
  if (forwardedHost) out.push(`x-forwarded-host: ${forwardedHost}`);
  out.push(`x-request-id: ${requestId}`);
  return out;
}

const firstValue = (v: string | undefined): string | undefined => v?.split(',')[0]?.trim() || undefined;

/** Node's rawHeaders (name and value in turn) as header lines: the form upstreamRequestHeaders reads. */
export function headerLines(rawHeaders: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) out.push(`${rawHeaders[i] as string}: ${rawHeaders[i + 1] as string}`);
  return out;
}
