import { connect, type Socket } from 'node:net';
import type { Writable } from 'node:stream';

/**
 * One Thrift binary connection to a lakehouse's HiveServer2, authenticated with SASL PLAIN as the driver expects
 * (Thrift's TSaslClientTransport, as PyHive's thrift_sasl sends it): a START message naming the mechanism, then OK with the initial response
 * `\0user\0password`; the server answers COMPLETE or BAD/ERROR with why. After that every message is one frame, a
 * 4-byte big-endian length and the bytes: the client flushes one call as one frame and the server its reply as one.
 *
 * A lane carries one call at a time. HTTP transport sends the same Thrift call bytes as a POST body and wants the
 * reply bytes as the answer, so a call is: write the body as a frame, stream the reply frame out as it arrives.
 */
const SASL = { START: 0x01, OK: 0x02, BAD: 0x03, ERROR: 0x04, COMPLETE: 0x05 } as const;

/** Replies beyond this are refused (Thrift's own default maximum message size is 100 MB). */
const MAX_FRAME_BYTES = 1024 * 1024 * 1024;

export class LaneRefusedError extends Error {}

export interface CallSink {
  /** The reply's length is known: the answer's headers can go. */
  begin(length: number): void;
  body: Writable;
}

type Reading =
  | { kind: 'handshake'; buffered: Buffer; done: (err: Error | undefined) => void }
  | { kind: 'header'; buffered: Buffer; sink: CallSink; done: (err: Error | undefined) => void }
  | { kind: 'payload'; remaining: number; sink: CallSink; done: (err: Error | undefined) => void }
  | { kind: 'idle' };

export class HiveBinaryLane {
  private reading: Reading = { kind: 'idle' };
  private closedWith: Error | undefined;
  busy = false;
  lastUsedAt = Date.now();

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => this.fail(this.closedWith ?? new Error('HiveServer2 closed the connection')));
    socket.on('error', (err) => this.fail(err));
  }

  get usable(): boolean {
    return this.closedWith === undefined && !this.socket.destroyed;
  }

  /** Connects and authenticates; LaneRefusedError when HiveServer2 refuses the credential. */
  static open(at: { host: string; port: number }, user: string, password: string, timeoutMs: number): Promise<HiveBinaryLane> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: at.host, port: at.port });
      const lane = new HiveBinaryLane(socket);
      const timer = setTimeout(() => {
        lane.close(new Error(`HiveServer2 at ${at.host}:${at.port} did not complete the handshake within ${timeoutMs} ms`));
      }, timeoutMs);
      lane.reading = {
        kind: 'handshake',
        buffered: Buffer.alloc(0),
        done: (err) => {
          clearTimeout(timer);
          if (err) reject(err);
          else resolve(lane);
        },
      };
      const mechanism = Buffer.from('PLAIN');
      const initial = Buffer.concat([Buffer.from([0]), Buffer.from(user, 'utf8'), Buffer.from([0]), Buffer.from(password, 'utf8')]);
      socket.write(Buffer.concat([saslMessage(SASL.START, mechanism), saslMessage(SASL.OK, initial)]));
    });
  }

  /** Sends one call and streams its reply into the sink; resolves once the reply has been written whole. */
  call(request: Buffer, sink: CallSink): Promise<void> {
    if (!this.usable) return Promise.reject(this.closedWith ?? new Error('the connection is closed'));
    if (this.reading.kind !== 'idle') return Promise.reject(new Error('a lane carries one call at a time'));
    this.lastUsedAt = Date.now();
    return new Promise((resolve, reject) => {
      this.reading = { kind: 'header', buffered: Buffer.alloc(0), sink, done: (err) => (err ? reject(err) : resolve()) };
      const length = Buffer.alloc(4);
      length.writeUInt32BE(request.length);
      this.socket.write(Buffer.concat([length, request]));
    });
  }

  close(err = new Error('closed by the edge')): void {
    this.closedWith ??= err;
    this.socket.destroy();
    this.fail(err);
  }

  private fail(err: Error): void {
    this.closedWith ??= err;
    const r = this.reading;
    this.reading = { kind: 'idle' };
    if (r.kind !== 'idle') r.done(err);
  }

  private onData(chunk: Buffer): void {
    let rest: Buffer = chunk;
    while (rest.length > 0) {
      const r = this.reading;
      if (r.kind === 'idle') return this.close(new Error('HiveServer2 sent bytes nobody asked for'));
      if (r.kind === 'handshake') {
        r.buffered = Buffer.concat([r.buffered, rest]);
        if (r.buffered.length < 5) return;
        const length = r.buffered.readUInt32BE(1);
        if (r.buffered.length < 5 + length) return;
        const status = r.buffered[0];
        const text = r.buffered.subarray(5, 5 + length).toString('utf8');
        rest = r.buffered.subarray(5 + length);
        this.reading = { kind: 'idle' };
        if (status === SASL.COMPLETE) r.done(undefined);
        else {
          const err = new LaneRefusedError(text || `the SASL handshake ended with status ${status}`);
          r.done(err);
          this.close(err);
          return;
        }
        continue;
      }
      if (r.kind === 'header') {
        r.buffered = Buffer.concat([r.buffered, rest]);
        if (r.buffered.length < 4) return;
        const length = r.buffered.readUInt32BE(0);
        if (length > MAX_FRAME_BYTES) return this.close(new Error(`a reply of ${length} bytes is more than the edge passes on`));
        rest = r.buffered.subarray(4);
        r.sink.begin(length);
        this.reading = { kind: 'payload', remaining: length, sink: r.sink, done: r.done };
        if (length === 0) this.finishPayload();
        continue;
      }
      const piece = rest.subarray(0, r.remaining);
      rest = rest.subarray(piece.length);
      r.remaining -= piece.length;
      // The reply streams out as it comes: a client that reads slowly holds the driver back, not our memory.
      if (!r.sink.body.write(piece) && r.remaining > 0) {
        this.socket.pause();
        r.sink.body.once('drain', () => this.socket.resume());
      }
      if (r.remaining === 0) this.finishPayload();
      if (rest.length > 0 && this.reading.kind === 'idle') return this.close(new Error('HiveServer2 sent bytes past its reply'));
    }
  }

  private finishPayload(): void {
    const r = this.reading;
    if (r.kind !== 'payload') return;
    this.reading = { kind: 'idle' };
    this.lastUsedAt = Date.now();
    r.sink.body.end();
    r.done(undefined);
  }
}

function saslMessage(status: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header[0] = status;
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}
