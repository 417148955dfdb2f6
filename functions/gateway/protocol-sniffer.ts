import type { Socket } from 'node:net';

/** What every HTTP/2 connection begins with (RFC 9113 3.4); cleartext HTTP/2 with prior knowledge (h2c) sends it at once. */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/** Quiet connections are dropped after this long without a first byte. */
const FIRST_BYTES_TIMEOUT_MS = 30_000;

/**
 * One port for HTTP/1.1 and h2c: a connection's first bytes decide. Those that begin with the HTTP/2 preface go to
 * the HTTP/2 server, every other to the HTTP/1.1 server, with the bytes read so far put back first. (TLS is not this
 * port's business: h2 over TLS is told by ALPN wherever TLS ends.)
 */
export function acceptHttp1OrH2c(socket: Socket, toHttp1: (socket: Socket) => void, toHttp2: (socket: Socket) => void): void {
  let buffered = Buffer.alloc(0);
  socket.setTimeout(FIRST_BYTES_TIMEOUT_MS, () => socket.destroy());
  const onError = () => socket.destroy();
  socket.on('error', onError);
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const n = Math.min(buffered.length, PREFACE.length);
    const h2c = buffered.subarray(0, n).equals(PREFACE.subarray(0, n));
    if (h2c && n < PREFACE.length) return;
    socket.removeListener('data', onData);
    socket.removeListener('error', onError);
    socket.setTimeout(0);
    socket.pause();
    socket.unshift(buffered);
    if (h2c) {
      // The HTTP/2 session reads what is buffered itself on its next tick; resuming here would drop it.
      toHttp2(socket);
    } else {
      toHttp1(socket);
      socket.resume();
    }
  };
  socket.on('data', onData);
}
