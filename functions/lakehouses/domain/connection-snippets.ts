import { hiveHttpPath, LAKEHOUSE_METADATA_HEADER, type EdgeAddress } from '../../../shared/domains/lakehouses/index.js';
import type { HostPort } from '../../../shared/runtime/index.js';

export interface ConnectionFacts {
  lakehouse: string;
  user: string;
  hiveServer2: HostPort;
  sparkConnect: HostPort;
  defaultCatalog: string | undefined;
  schema: string;
  /** The platform's public edge (LAKEPLANE_PUBLIC_URL): clients outside the cluster reach the lakehouse there by name. */
  edge?: EdgeAddress | undefined;
}

/**
 * How clients reach a lakehouse, as text to paste. HiveServer2 takes the user's name and one of their Lakeplane tokens
 * as the password (SASL PLAIN); Spark Connect takes the token in the x-lakeplane-token header, which PySpark's
 * connection string sets (its own `token` parameter turns TLS on, which Spark 3.5's Connect server does not serve).
 */
export function connectionSnippets(f: ConnectionFacts) {
  return f.edge ? throughEdge(f, f.edge) : direct(f);
}

function direct(f: ConnectionFacts) {
  const hs2 = `${f.hiveServer2.host}:${f.hiveServer2.port}`;
  const jdbcUrl = `jdbc:hive2://${hs2}/${f.schema}`;
  const sparkConnectUrl = `sc://${f.sparkConnect.host}:${f.sparkConnect.port}/;user_id=${f.user};x-lakeplane-token=<TOKEN>`;
  return {
    jdbcUrl,
    sparkConnectUrl,
    snippets: {
      beeline: `beeline -u '${jdbcUrl}' -n ${f.user} -p "$LAKEPLANE_TOKEN" -e 'SHOW NAMESPACES'`,
      jdbc: [
        `// org.apache.hive:hive-jdbc on the classpath`,
        `Connection c = DriverManager.getConnection("${jdbcUrl}", "${f.user}", System.getenv("LAKEPLANE_TOKEN"));`,
      ].join('\n'),
      pyhive: [
        'import os',
        'from pyhive import hive  # pip install "pyhive[hive_pure_sasl]"',
        `conn = hive.connect(host="${f.hiveServer2.host}", port=${f.hiveServer2.port}, username="${f.user}", password=os.environ["LAKEPLANE_TOKEN"], auth="CUSTOM", database="${f.schema}")`,
        'cur = conn.cursor(); cur.execute("SHOW NAMESPACES"); print(cur.fetchall())',
      ].join('\n'),
      dbt: [
        `# ~/.dbt/profiles.yml (dbt-spark, method thrift)`,
        `lakeplane:`,
        `  target: ${f.lakehouse}`,
        `  outputs:`,
        `    ${f.lakehouse}:`,
        `      type: spark`,
        `      method: thrift`,
        `      host: ${f.hiveServer2.host}`,
        `      port: ${f.hiveServer2.port}`,
        `      user: ${f.user}`,
        `      password: "{{ env_var('LAKEPLANE_TOKEN') }}"`,
        `      auth: CUSTOM`,
        `      schema: ${f.schema}`,
      ].join('\n'),
      pysparkConnect: [
        'import os',
        'from pyspark.sql import SparkSession  # pip install "pyspark[connect]==3.5.*"',
        `spark = SparkSession.builder.remote("sc://${f.sparkConnect.host}:${f.sparkConnect.port}/;user_id=${f.user};x-lakeplane-token=" + os.environ["LAKEPLANE_TOKEN"]).getOrCreate()`,
        'spark.sql("SHOW NAMESPACES").show()',
      ].join('\n'),
    },
  };
}

/**
 * Through the platform's edge, by the lakehouse's name: HiveServer2 over HTTP transport (user name and token as
 * HTTP Basic credentials), Spark Connect over HTTP/2 with the lakehouse named in a metadata header. dbt-spark's
 * thrift method speaks only the binary transport, so its profile keeps the driver's address (inside the cluster).
 */
function throughEdge(f: ConnectionFacts, edge: EdgeAddress) {
  const origin = `${edge.host}:${edge.port}`;
  const httpPath = hiveHttpPath(f.lakehouse);
  const jdbcUrl = `jdbc:hive2://${origin}/${f.schema};transportMode=http;httpPath=${httpPath}${edge.tls ? ';ssl=true' : ''}`;
  const connectBase = `sc://${origin}/;user_id=${f.user};${LAKEHOUSE_METADATA_HEADER}=${f.lakehouse}${edge.tls ? ';use_ssl=true' : ''};x-lakeplane-token=`;
  const sparkConnectUrl = `${connectBase}<TOKEN>`;
  const inside = direct(f);
  return {
    jdbcUrl,
    sparkConnectUrl,
    snippets: {
      beeline: `beeline -u '${jdbcUrl}' -n ${f.user} -p "$LAKEPLANE_TOKEN" -e 'SHOW NAMESPACES'`,
      jdbc: [
        `// org.apache.hive:hive-jdbc on the classpath (HTTP transport)`,
        `Connection c = DriverManager.getConnection("${jdbcUrl}", "${f.user}", System.getenv("LAKEPLANE_TOKEN"));`,
      ].join('\n'),
      pyhive: [
        'import base64, os',
        'from pyhive import hive  # pip install pyhive thrift',
        'from thrift.transport import THttpClient',
        `transport = THttpClient.THttpClient("${edge.tls ? 'https' : 'http'}://${origin}/${httpPath}")`,
        `transport.setCustomHeaders({"Authorization": "Basic " + base64.b64encode(("${f.user}:" + os.environ["LAKEPLANE_TOKEN"]).encode()).decode()})`,
        `conn = hive.connect(thrift_transport=transport, username="${f.user}", database="${f.schema}")`,
        'cur = conn.cursor(); cur.execute("SHOW NAMESPACES"); print(cur.fetchall())',
      ].join('\n'),
      dbt: [`# dbt-spark's thrift method speaks HiveServer2's binary transport only: from inside the cluster`, inside.snippets.dbt].join('\n'),
      pysparkConnect: [
        'import os',
        'from pyspark.sql import SparkSession  # pip install "pyspark[connect]==3.5.*"',
        `spark = SparkSession.builder.remote("${connectBase}" + os.environ["LAKEPLANE_TOKEN"]).getOrCreate()`,
        'spark.sql("SHOW NAMESPACES").show()',
      ].join('\n'),
    },
  };
}
