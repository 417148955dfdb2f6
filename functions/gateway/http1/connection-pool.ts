import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

/** What a connection reports to the exchange that holds it. */
export interface ConnectionUser {
  onData(data: Buffer): void;
  /** The socket can take more of the request body. */
  onDrain(): void;
  /** The connection ended (`error`: why, when it failed). */
  onClose(error: Error | undefined): void;
  /** No answer began within the pool's headTimeoutMs of the request. */
  onTimeout(): void;
}

/** Where every plain upstream socket reads into (one at a time: the loop is single-threaded, and bytes are copied out). */
const readBuffer = Buffer.allocUnsafe(64 * 1024);
/** The sockets opened with `onread`: they deliver no 'data' events. */
const readsItself = new WeakSet<Socket>();

/**
 * One keep-alive connection to a function. Its listeners are set once and hand every event to the exchange that
 * holds it at the time: an exchange adds and removes nothing on the socket.
 */
export class UpstreamConnection {
  user: ConnectionUser | undefined;
  /** It has carried a request before: a failure before any answer may be an idle close that crossed ours. */
  reused = false;
  idleSince = 0;
  /** When the request now on it was sent, until its answer begins (0 otherwise): the pool's sweep times it out. */
  waitingSince = 0;
  closed = false;
  private error: Error | undefined;

  constructor(
    readonly socket: Socket,
    private readonly pool: ConnectionPool,
  ) {
    // A plain TCP socket hands its bytes to received() itself (the pool's `onread`); a TLS one as a stream.
    if (!readsItself.has(socket)) socket.on('data', (data: Buffer) => this.received(data));
    socket.on('drain', () => this.user?.onDrain());
    socket.on('error', (err) => (this.error = err));
    socket.on('close', () => {
      this.closed = true;
      this.pool.forget(this);
      const user = this.user;
      this.user = undefined;
      user?.onClose(this.error);
    });
  }

  received(data: Buffer): void {
    if (this.user) this.user.onData(data);
    // Bytes while idle answer no request: the connection is out of step, and is not used again.
    else this.socket.destroy();
  }

  /** The exchange is done with it: back to the pool when it may carry another request, else ended. */
  release(reusable: boolean): void {
    this.user = undefined;
    this.waitingSince = 0;
    if (reusable && !this.closed) this.pool.keep(this);
    else this.socket.destroy();
  }
}

export interface PoolOptions {
  /** An idle connection is ended after this long; below the functions' own keep-alive timeout (65 s). */
  readonly idleMs: number;
  readonly connectTimeoutMs: number;
  readonly maxIdle: number;
  /** A request whose answer has not begun after this long is failed (the sweep's precision: a tenth of it). */
  readonly headTimeoutMs: number;
}

/**
 * Keep-alive connections to one function, the most recently used first (the warmest socket, and the others age
 * out). A request takes an idle connection or opens one; there is no ceiling on connections, as there is none on
 * the client's side: the function's own server limits what it accepts.
 */
export class ConnectionPool {
  private readonly idle: UpstreamConnection[] = [];
  private readonly all = new Set<UpstreamConnection>();
  private readonly sweeper: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly origin: URL,
    private readonly options: PoolOptions,
  ) {
    // One timer for the pool, not one per request: arming and clearing a socket timeout per request cost more
    // than the rest of the pool's work.
    this.sweeper = setInterval(() => this.sweep(Date.now()), Math.max(1_000, Math.min(options.idleMs / 4, options.headTimeoutMs / 10)));
    this.sweeper.unref();
  }

  /** An idle connection, or undefined when a new one must be opened. */
  takeIdle(): UpstreamConnection | undefined {
    let conn = this.idle.pop();
    while (conn && (conn.closed || conn.socket.destroyed || conn.socket.readableEnded)) {
      conn.socket.destroy();
      conn = this.idle.pop();
    }
    return conn;
  }

  /** Opens a connection; `done` gets it once connected, or the failure (ECONNREFUSED, a timeout, ...). */
  open(done: (err: Error | undefined, conn: UpstreamConnection | undefined) => void): void {
    if (this.closing) return done(Object.assign(new Error('the gateway is stopping'), { code: 'ECONNREFUSED' }), undefined);
    const port = Number(this.origin.port) || (this.origin.protocol === 'https:' ? 443 : 80);
    const host = this.origin.hostname.replace(/^\[|\]$/g, '');
    let conn: UpstreamConnection | undefined;
    const socket =
      this.origin.protocol === 'https:'
        ? connectTls({ host, port, servername: host, ALPNProtocols: ['http/1.1'] })
        : connectTcp({
            host,
            port,
            noDelay: true,
            // Reads land in one buffer and are handed on as a copy, without the stream's queue and its ticks per
            // read: a few per cent of the gateway's CPU per request (bench:gateway, issue 21). No byte comes before
            // 'connect', so `conn` is set by then.
            onread: {
              buffer: readBuffer,
              callback: (size: number, buf: Uint8Array) => {
                conn?.received(Buffer.from(buf.subarray(0, size)));
                return true;
              },
            },
          });
    if (this.origin.protocol !== 'https:') readsItself.add(socket);
    socket.setNoDelay(true);
    const event = this.origin.protocol === 'https:' ? 'secureConnect' : 'connect';
    let settled = false;
    const timer = setTimeout(() => {
      const err = Object.assign(new Error(`no connection to ${this.origin.host} within ${this.options.connectTimeoutMs} ms`), {
        code: 'UND_ERR_CONNECT_TIMEOUT',
      });
      socket.destroy(err);
    }, this.options.connectTimeoutMs);
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      done(err, undefined);
    };
    socket.once('error', fail);
    socket.once(event, () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('error', fail);
      conn = new UpstreamConnection(socket, this);
      this.all.add(conn);
      done(undefined, conn);
    });
  }

  keep(conn: UpstreamConnection): void {
    if (this.closing || this.idle.length >= this.options.maxIdle) {
      conn.socket.destroy();
      return;
    }
    conn.reused = true;
    conn.idleSince = Date.now();
    this.idle.push(conn);
  }

  forget(conn: UpstreamConnection): void {
    this.all.delete(conn);
    const at = this.idle.indexOf(conn);
    if (at !== -1) this.idle.splice(at, 1);
  }

  /** Ends every connection, idle or in use. */
  close(): void {
    this.closing = true;
    clearInterval(this.sweeper);
    for (const conn of [...this.all]) conn.socket.destroy();
    this.idle.length = 0;
  }

  private sweep(now: number): void {
    for (const conn of this.all) {
      if (conn.waitingSince !== 0 && now - conn.waitingSince > this.options.headTimeoutMs) {
        conn.waitingSince = 0;
        conn.user?.onTimeout();
      }
    }
    // The oldest idle connections are at the bottom of the stack.
    while (this.idle.length > 0 && now - (this.idle[0] as UpstreamConnection).idleSince > this.options.idleMs) {
      (this.idle.shift() as UpstreamConnection).socket.destroy();
    }
  }
}
