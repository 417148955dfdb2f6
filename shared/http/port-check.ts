import { createServer } from 'node:net';

/** The port a server is told to listen on cannot be had: said in one line, without a stack trace. */
export class PortUnavailableError extends Error {
  constructor(
    readonly port: number,
    readonly host: string,
    readonly code: string,
  ) {
    super(
      code === 'EADDRINUSE'
        ? `Port ${port} on ${host} is in use by another process: stop it, or set PORT to another port.`
        : `Cannot listen on port ${port} on ${host} (${code}): set PORT to a port this user may open, or HOST to an address of this machine.`,
    );
    this.name = 'PortUnavailableError';
  }
}

/** A listen error as PortUnavailableError where it is one (in use, not permitted, no such address); else as it is. */
export function portError(err: unknown, port: number, host: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' ? new PortUnavailableError(port, host, code) : err;
}

/**
 * Fails at once when `port` cannot be listened on, before the slow part of a start (opening the store, migrations):
 * the listen at the end of the start would otherwise find out only then. A port taken in between is still reported
 * by listen() in the same words. Port 0 (any free port) is always available.
 */
export async function ensurePortAvailable(port: number, host: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err) => reject(portError(err, port, host)));
    probe.listen({ port, host }, () => probe.close(() => resolve()));
  });
}
