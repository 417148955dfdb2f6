#!/usr/bin/env node
// A stand-in for spark-submit running a lakehouse's driver that speaks just enough of both protocols for the edge's
// fast test: HiveServer2's binary transport (SASL PLAIN, then one frame per call; each reply is `<user>:` and the
// call's bytes, or N bytes when the call is `big:N`) and h2c for Spark Connect (each call is answered with the
// x-lakeplane-token it carried and its request bytes, or `x-big: N` bytes in 64 KiB messages, then grpc-status 0).
// It reads its ports from the arguments the lakehouse is launched with, like test/support/fake-lakehouse-driver.mjs.
import { createServer as createHttp2Server } from 'node:http2';
import { createServer } from 'node:net';

const args = process.argv.slice(2);
const conf = {};
for (let i = 0; i < args.length; i++) {
  if ((args[i] === '--conf' || args[i] === '--hiveconf') && args[i + 1]) {
    const [k, ...v] = args[i + 1].split('=');
    conf[k] = v.join('=');
    i++;
  }
}
const host = conf['hive.server2.thrift.bind.host'] ?? '127.0.0.1';
const log = (m) => process.stdout.write(`${new Date().toISOString()} fake-protocol-driver: ${m}\n`);

const frame = (payload) => {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length);
  return Buffer.concat([header, payload]);
};

const hive = createServer((socket) => {
  let buffered = Buffer.alloc(0);
  let user;
  socket.on('error', () => undefined);
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      if (user === undefined) {
        // Two SASL messages: START "PLAIN", then OK/COMPLETE "\0user\0password".
        const first = buffered.length >= 5 ? 5 + buffered.readUInt32BE(1) : Infinity;
        if (buffered.length < first + 5) return;
        const second = first + 5 + buffered.readUInt32BE(first + 1);
        if (buffered.length < second) return;
        const [, name, password] = buffered
          .subarray(first + 5, second)
          .toString('utf8')
          .split('\0');
        buffered = buffered.subarray(second);
        if (!password?.startsWith('lpat_') && !password?.startsWith('ey')) {
          const why = Buffer.from('Error validating the login');
          socket.end(Buffer.concat([Buffer.from([4, 0, 0, 0, why.length]), why]));
          return;
        }
        user = name;
        socket.write(Buffer.from([5, 0, 0, 0, 0]));
        continue;
      }
      if (buffered.length < 4) return;
      const length = buffered.readUInt32BE(0);
      if (buffered.length < 4 + length) return;
      const call = buffered.subarray(4, 4 + length);
      buffered = buffered.subarray(4 + length);
      const big = /^big:(\d+)$/.exec(call.toString('latin1'));
      socket.write(frame(big ? Buffer.alloc(Number(big[1]), 'z') : Buffer.concat([Buffer.from(`${user}:`), call])));
    }
  });
});

const connect = createHttp2Server();
connect.on('stream', (stream, headers) => {
  stream.on('error', () => undefined);
  const chunks = [];
  stream.on('data', (c) => chunks.push(c));
  stream.on('end', () => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    const big = Number(headers['x-big'] ?? 0);
    if (!big) return stream.end(Buffer.concat([Buffer.from(`${headers['x-lakeplane-token'] ?? ''}|`), ...chunks]));
    let sent = 0;
    const more = () => {
      while (sent < big) {
        const n = Math.min(65536, big - sent);
        sent += n;
        if (!stream.write(Buffer.alloc(n, 'q'))) return stream.once('drain', more);
      }
      stream.end();
    };
    more();
  });
});

setTimeout(() => {
  hive.listen(Number(conf['hive.server2.thrift.port']), host, () => log('HiveServer2 (binary) listening'));
  connect.listen(Number(conf['spark.connect.grpc.binding.port']), host, () => log('Spark Connect (h2c) listening'));
}, 100);
process.on('SIGTERM', () => {
  log('SIGTERM: shutting down');
  process.exit(143);
});
