import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { plainAddress, type TrustedProxies } from '../../shared/config/index.js';

/**
 * Headers that describe one connection, not the message (RFC 9110 7.6.1), and so never cross a proxy. Host is the
 * upstream's own (Knative routes by it); the client's travels as X-Forwarded-Host. Expect is answered here: Node
 * sends 100 Continue itself.
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

/** The header names the Connection header lists: hop-by-hop too, for this message only. */
function connectionTokens(value: string | string[] | undefined): Set<string> {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(
    text
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  );
}

const firstValue = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim() || undefined;

/**
 * What the function is told of the request: its own headers less the hop-by-hop ones, the request id, and
 * X-Forwarded-For/Proto/Host. What a client wrote there is kept only when its peer is a trusted proxy
 * (LAKEPLANE_TRUSTED_PROXIES: the ingress in front); the peer is appended, so a function that trusts the gateway reads
 * the client from the right as shared/http/client-address.ts does, and a forged entry stays left of any trusted one.
 */
export function upstreamRequestHeaders(req: IncomingMessage, requestId: string, trusted: TrustedProxies): Record<string, string | string[]> {
  const dropped = connectionTokens(req.headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || NOT_FORWARDED.has(name) || dropped.has(name)) continue;
    out[name] = value;
  }
  const peer = req.socket.remoteAddress === undefined ? undefined : plainAddress(req.socket.remoteAddress);
  const fromTrustedProxy = peer !== undefined && !trusted.none && trusted.has(peer);
  const h = req.headers;
  const priorFor = fromTrustedProxy ? (Array.isArray(h['x-forwarded-for']) ? h['x-forwarded-for'].join(', ') : h['x-forwarded-for']) : undefined;
  if (peer !== undefined) out['x-forwarded-for'] = priorFor ? `${priorFor}, ${peer}` : peer;
  out['x-forwarded-proto'] = (fromTrustedProxy ? firstValue(h['x-forwarded-proto']) : undefined) ?? ((req.socket as TLSSocket).encrypted ? 'https' : 'http');
  const host = (fromTrustedProxy ? firstValue(h['x-forwarded-host']) : undefined) ?? h.host;
  if (host) out['x-forwarded-host'] = host;
  out['x-request-id'] = requestId;
  return out;
}

/** The function's answer as the client gets it: less the hop-by-hop headers, with the request id and any of ours. */
export function downstreamResponseHeaders(
  upstream: IncomingHttpHeaders | Record<string, string | string[] | undefined>,
  extra: Record<string, string>,
): OutgoingHttpHeaders {
  const dropped = connectionTokens(upstream['connection']);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || HOP_BY_HOP.has(name) || dropped.has(name)) continue;
    out[name] = value;
  }
  return Object.assign(out, extra);
}
