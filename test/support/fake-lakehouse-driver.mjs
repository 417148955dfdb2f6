#!/usr/bin/env node
// A stand-in for spark-submit running a lakehouse's driver, for the lifecycle tests that need no JVM: it reads the
// ports the lakehouse was given (--hiveconf hive.server2.thrift.port=N, --conf spark.connect.grpc.binding.port=M),
// listens on both like Spark's Thrift server and Connect plugin, logs a line a second, and ends on SIGTERM. Settings
// of the lakehouse steer it: spark.test.fakeDriver.listenAfterMs (a slow start), .crashAfterMs (exits with 1),
// .neverListen=true (a driver that runs but never serves). The real driver is tested in test/lakehouses/*spark*.
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
const log = (m) => process.stdout.write(`${new Date().toISOString()} fake-driver: ${m}\n`);
log(`started with ${args.length} arguments, class ${args[args.indexOf('--class') + 1]}`);
const listenAfter = Number(conf['spark.test.fakeDriver.listenAfterMs'] ?? 200);
const servers = [];
if (conf['spark.test.fakeDriver.neverListen'] !== 'true') {
  setTimeout(() => {
    for (const key of ['hive.server2.thrift.port', 'spark.connect.grpc.binding.port']) {
      const server = createServer((socket) => socket.end());
      server.listen(Number(conf[key]), conf['hive.server2.thrift.bind.host'] ?? '127.0.0.1', () => log(`listening on ${key}=${conf[key]}`));
      servers.push(server);
    }
  }, listenAfter);
}
if (conf['spark.test.fakeDriver.crashAfterMs']) {
  setTimeout(() => {
    log('ERROR java.lang.OutOfMemoryError: Java heap space (simulated)');
    process.exit(1);
  }, Number(conf['spark.test.fakeDriver.crashAfterMs']));
}
const ticker = setInterval(() => log('alive'), 1000);
process.on('SIGTERM', () => {
  log('SIGTERM: shutting down');
  clearInterval(ticker);
  for (const s of servers) s.close();
  process.exit(143);
});
