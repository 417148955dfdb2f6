import { lookup } from 'node:dns/promises';
import { isIP, type BlockList } from 'node:net';
import { refusalOf } from './address-ranges.js';

/** A resolver of a host name to its addresses (the system's, as getaddrinfo: /etc/hosts and DNS). */
export type ResolveHost = (host: string) => Promise<Array<{ address: string; family: number }>>;

export const systemResolver: ResolveHost = (host) => lookup(host, { all: true, verbatim: true });

/** A URL whose host was resolved and checked: deliveries connect to `address` and nowhere else. */
export interface CheckedTarget {
  readonly url: URL;
  readonly address: string;
  readonly family: 4 | 6;
}

/**
 * A webhook target the platform will not call; the message says why, for a 400 or a delivery's last error.
 * `transient`: the host did not resolve, which a later try may see otherwise (a refused address is not transient).
 */
export class TargetRefusedError extends Error {
  constructor(
    message: string,
    readonly transient = false,
  ) {
    super(message);
  }
}

const RESOLVE_TIMEOUT_MS = 5_000;

async function resolveWithin(resolve: ResolveHost, host: string): Promise<Array<{ address: string; family: number }>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TargetRefusedError(`its host ${host} did not resolve within ${RESOLVE_TIMEOUT_MS / 1000} s`, true)),
      RESOLVE_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([resolve(host), timeout]);
  } catch (err) {
    if (err instanceof TargetRefusedError) throw err;
    throw new TargetRefusedError(`its host ${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, true);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolves a webhook URL's host and checks every address it resolves to: one refused address refuses the target,
 * since the connection could take any of them. Only http and https are called. The first address is the one a
 * delivery then connects to, so a DNS answer that changes between this check and the connection changes nothing.
 */
export async function checkTarget(rawUrl: string, allowed: BlockList, resolve: ResolveHost = systemResolver): Promise<CheckedTarget> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new TargetRefusedError('it is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetRefusedError(`its scheme ${url.protocol.slice(0, -1)} is not http or https`);
  if (url.username || url.password) throw new TargetRefusedError('it carries credentials; sign with the subscription secret instead');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const literal = isIP(host);
  const addresses = literal ? [{ address: host, family: literal }] : await resolveWithin(resolve, host);
  if (addresses.length === 0) throw new TargetRefusedError(`its host ${host} resolves to no address`, true);
  for (const a of addresses) {
    const why = refusalOf(a.address, allowed);
    if (why)
      throw new TargetRefusedError(
        `${literal ? `its address ${a.address} is` : `its host ${host} resolves to ${a.address}, which is`} ${why}: refused unless LAKEPLANE_WEBHOOK_ALLOWED_CIDRS holds it`,
      );
  }
  const first = addresses[0] as { address: string; family: number };
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
