import type { AddressInfo } from 'node:net';
import type { Worker } from '../../shared/http/index.js';
import { metastoreContext } from './metastore-context.js';
import { metastoreService } from './metastore-service.js';
import { createThriftServer } from './thrift/thrift-server.js';

/**
 * The metastore's Thrift port (binary protocol, framed or not, as Spark's Hive client and Trino's connector speak
 * it), served while the process lives when LAKEPLANE_METASTORE_PORT is set. Each connection is a session of its
 * own, authenticated by the credential its set_ugi presents (handlers/session-calls.ts); stopping closes the port
 * and every connection.
 */
export const thriftListener: Worker = async (platform) => {
  const port = platform.config.LAKEPLANE_METASTORE_PORT;
  if (port === undefined) return async () => {};
  const host = platform.config.LAKEPLANE_METASTORE_HOST;
  const server = createThriftServer({
    serviceFor: () => metastoreService({ platform, warehouse: platform.config.LAKEPLANE_METASTORE_WAREHOUSE, principal: undefined, credential: undefined }),
    onConnectionError: (err, socket) =>
      platform.logger.warn({ err, peer: `${socket.remoteAddress}:${socket.remotePort}` }, 'metastore connection closed on an error'),
    idleTimeoutMs: platform.config.LAKEPLANE_METASTORE_IDLE_TIMEOUT_SECONDS * 1000,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  platform.contextOf(metastoreContext).thrift = { host: address.address, port: address.port };
  platform.logger.info({ host: address.address, port: address.port }, 'the Hive metastore listens (Thrift)');
  return async () => {
    platform.contextOf(metastoreContext).thrift = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAll();
    });
  };
};
