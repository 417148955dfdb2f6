/**
 * How a lakehouse is reached by name through the platform's edge (the gateway, or `npm start`'s one port), one
 * definition for the edge that routes and for the connection details that tell clients:
 *   - HiveServer2 over HTTP transport at the path `lakehouses/<name>/hive`;
 *   - Spark Connect over h2c with the lakehouse named in the `x-lakeplane-lakehouse` gRPC metadata header, which a
 *     PySpark `sc://` connection string sets from its `;x-lakeplane-lakehouse=<name>` parameter (pyspark 3.5 sends
 *     every parameter it does not know itself as a header).
 */
export const LAKEHOUSE_METADATA_HEADER = 'x-lakeplane-lakehouse';

export function hiveHttpPath(lakehouseName: string): string {
  return `lakehouses/${lakehouseName}/hive`;
}

/** The lakehouse a request path names, when it is a HiveServer2 HTTP transport path. */
export function lakehouseOfHivePath(path: string): string | undefined {
  return /^\/lakehouses\/([a-z](?:[-a-z0-9]{0,51}[a-z0-9])?)\/hive\/?$/.exec(path)?.[1];
}

export interface EdgeAddress {
  host: string;
  port: number;
  /** Whether clients reach it over TLS (an https public URL). */
  tls: boolean;
}

/** Where the edge is, from the public URL (default ports: 80, 443). */
export function edgeAddressOf(publicUrl: string): EdgeAddress {
  const url = new URL(publicUrl);
  const tls = url.protocol === 'https:';
  return { host: url.hostname, port: url.port ? Number(url.port) : tls ? 443 : 80, tls };
}
