import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Below it, ports are left to well-known services. */
const LOWEST = 10_000;

/** The kernel's ephemeral range: bind(0) and every outgoing connection draw their local port from it. */
function ephemeralRange(): readonly [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch {
    /* not Linux: its usual range */
  }
  return [32768, 60999];
}

function listenable(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * A port that is free now, for a process about to listen on it. Taken at random below the ephemeral range, not from
 * bind(0): a port bind(0) gave is released before the process listens, and on a busy machine another program's
 * bind(0), or an outgoing connection, may get it meanwhile (a function then fails with EADDRINUSE, and its readiness
 * probe may be answered by whoever took the port). Below the range, only another program choosing as this does can
 * collide, and ManagedProcess's readiness check then reports it.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [low] = ephemeralRange();
  for (let tries = 0; low - LOWEST > 1000 && tries < 100; tries++) {
    const port = LOWEST + Math.floor(Math.random() * (low - LOWEST));
    if (await listenable(port, host)) return port;
  }
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
