"""Spark 3.5 with Hive support (its built-in Hive 2.3.9 client), unchanged, against a Hive metastore at a thrift:// URI.

Run as `python hms_spark_scenario.py '<json config>'` with {"uri", "warehouse", "scratch"}: the statements a data
team runs on Hive tables, each step printed as one JSON line {"step", "at"} (ms since the epoch) before it runs, so a
recording of the metastore calls can be cut by step. Ends with one JSON line {"results": {...}} (the rows each query
returned, or the step's error).
"""

import json
import os
import sys
import time

from pyspark.sql import SparkSession

config = json.loads(sys.argv[1])
scratch = config["scratch"]
results = {}


def step(name):
    print(json.dumps({"step": name, "at": int(time.time() * 1000)}), flush=True)


def run(name, text, collect=True):
    step(name)
    try:
        df = spark.sql(text)
        results[name] = [[str(v) for v in r] for r in df.collect()] if collect else "ok"
    except Exception as e:  # noqa: BLE001 - the step's error is the result
        results[name] = {"error": str(e).strip().splitlines()[0][:500]}


step("start")
spark = (
    SparkSession.builder.master("local[1]")
    .appName("hms-scenario")
    .config("spark.driver.host", "127.0.0.1")
    .config("spark.driver.bindAddress", "127.0.0.1")
    .config("spark.ui.enabled", "false")
    .config("spark.sql.shuffle.partitions", "1")
    .config("spark.sql.warehouse.dir", config["warehouse"])
    .config("spark.hadoop.hive.metastore.uris", config["uri"])
    .config("spark.sql.catalogImplementation", "hive")
    .config("spark.hadoop.hive.exec.dynamic.partition.mode", "nonstrict")
    .enableHiveSupport()
    .getOrCreate()
)

run("show databases", "SHOW DATABASES")
run("create database", f"CREATE DATABASE sales COMMENT 'orders' LOCATION '{config['warehouse']}/sales.db'", False)
run("use database", "USE sales", False)
run(
    "create partitioned parquet table",
    "CREATE TABLE orders (id INT, amount DOUBLE, note STRING, day STRING) USING parquet PARTITIONED BY (day)",
    False,
)
run(
    "insert with dynamic partitions",
    "INSERT INTO orders VALUES (1, 2.5, 'a', '2026-01-01'), (2, 3.5, 'b', '2026-01-02'), (3, 4.5, 'c', '2026-01-02')",
    False,
)
run("select with partition pruning", "SELECT id, amount FROM orders WHERE day = '2026-01-02' ORDER BY id")
run("explain partition pruning", "EXPLAIN SELECT id FROM orders WHERE day = '2026-01-02'")
run("show partitions", "SHOW PARTITIONS orders")
run("describe extended", "DESCRIBE TABLE EXTENDED orders")
run("show tables", "SHOW TABLES IN sales")
run("analyze table", "ANALYZE TABLE orders COMPUTE STATISTICS", False)
run("analyze columns", "ANALYZE TABLE orders COMPUTE STATISTICS FOR COLUMNS id, amount", False)
run("alter table properties", "ALTER TABLE orders SET TBLPROPERTIES ('team'='finance')", False)
run("add partition", "ALTER TABLE orders ADD PARTITION (day='2026-01-03')", False)
run("drop partition", "ALTER TABLE orders DROP PARTITION (day='2026-01-01')", False)
run("rename table", "ALTER TABLE orders RENAME TO orders_v2", False)
run("hive format table", "CREATE TABLE events (kind STRING, n BIGINT) PARTITIONED BY (dt STRING) STORED AS ORC", False)
run("insert overwrite partition", "INSERT OVERWRITE TABLE events PARTITION (dt='d1') VALUES ('x', 1)", False)

# An external CSV table over files that already exist, partitioned by directory, found by MSCK REPAIR.
raw = os.path.join(scratch, "raw")
for part, rows in {"region=eu": "1,alpha\n2,beta\n", "region=us": "3,gamma\n"}.items():
    os.makedirs(os.path.join(raw, part), exist_ok=True)
    with open(os.path.join(raw, part, "data.csv"), "w") as f:
        f.write(rows)
run(
    "create external csv table",
    "CREATE EXTERNAL TABLE raw_csv (id INT, name STRING) PARTITIONED BY (region STRING) "
    f"ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' STORED AS TEXTFILE LOCATION 'file://{raw}'",
    False,
)
run("msck repair", "MSCK REPAIR TABLE raw_csv", False)
run("read external csv", "SELECT id, name, region FROM raw_csv ORDER BY id")
run("json table", "CREATE TABLE js (a STRING) USING json", False)
run("drop managed table", "DROP TABLE orders_v2", False)
run("drop external table", "DROP TABLE raw_csv", False)
run("drop database cascade", "DROP DATABASE sales CASCADE", False)

spark.stop()
print(json.dumps({"results": results}), flush=True)
