"""Apache Spark 3.5 with Iceberg's Spark runtime against Lakeplane's catalog through the gateway, for the end-to-end
suite on the local cluster: it reads sales.customers (which PyIceberg wrote), then creates and fills sales.orders.

Run as `python engines_spark.py '<json config>'` with {"uri", "warehouse", "credential", "oauth2ServerUri", "jar"}.
Prints one JSON object on stdout (the last line); on a failure {"error", "step", "trace"} and exits 1.
"""

import json
import sys
import traceback

config = json.loads(sys.argv[1])
out = {}
step = "start spark"

try:
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master("local[2]")
        .appName("lakeplane-engines")
        .config("spark.jars", config["jar"])
        .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
        .config("spark.sql.catalog.lp", "org.apache.iceberg.spark.SparkCatalog")
        .config("spark.sql.catalog.lp.type", "rest")
        .config("spark.sql.catalog.lp.uri", config["uri"])
        .config("spark.sql.catalog.lp.warehouse", config["warehouse"])
        .config("spark.sql.catalog.lp.rest.auth.type", "oauth2")
        .config("spark.sql.catalog.lp.credential", config["credential"])
        .config("spark.sql.catalog.lp.oauth2-server-uri", config["oauth2ServerUri"])
        .config("spark.sql.catalog.lp.scope", "catalog")
        .config("spark.driver.memory", "1g")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")

    def rows(text):
        return [list(r) for r in spark.sql(text).collect()]

    step = "read sales.customers"
    out["customers"] = rows("SELECT id, email, region FROM lp.sales.customers ORDER BY id")
    step = "CREATE TABLE sales.orders"
    spark.sql("CREATE TABLE lp.sales.orders (id BIGINT, customer_id BIGINT, amount DOUBLE) USING iceberg")
    step = "INSERT"
    spark.sql("INSERT INTO lp.sales.orders SELECT 10 + id, id, id * 2.5 FROM lp.sales.customers")
    out["orders"] = rows("SELECT id, customer_id, amount FROM lp.sales.orders ORDER BY id")
    spark.stop()
except Exception as e:
    print(json.dumps({"error": f"{type(e).__name__}: {e}"[:4000], "step": step, "trace": traceback.format_exc()[-4000:]}))
    sys.exit(1)
print(json.dumps(out))
