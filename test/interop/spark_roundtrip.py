"""Apache Spark 3.5 with Iceberg's runtime jar, unchanged, against Lakeplane's Iceberg REST catalog.

Run by test/interop/spark.test.ts as `python spark_roundtrip.py '<json config>'` with
{"uri", "warehouse", "credential", "oauth2ServerUri", "namespace", "jar"}. Spark runs in this process's JVM (local[2],
small memory, loopback only). Prints one JSON object on stdout (the last line): what each statement returned. The
core steps must succeed (otherwise {"error", "step", "trace", "steps"} and exit 1); the optional ones record
{"ok": ...} or {"error": ...} each and the run goes on.
"""

import json
import sys
import threading
import traceback

config = json.loads(sys.argv[1])
ns = config["namespace"]
t = f"lp.{ns}.orders"
out = {}
step = "start spark"


def sql(text):
    return spark.sql(text).collect()


def rows(text):
    """A query's rows as lists of plain values."""
    return [list(r) for r in sql(text)]


def first_line(e):
    """The message of an error from the JVM: py4j's first line is only 'An error occurred while calling ...'."""
    lines = [line.strip() for line in str(e).strip().splitlines() if line.strip()]
    for line in lines:
        if "Exception:" in line or "Error:" in line:
            return line.lstrip(": ")[:1000]
    return (lines[0] if lines else type(e).__name__)[:1000]


def attempt(name, fn):
    try:
        out[name] = {"ok": fn()}
    except Exception as e:  # py4j and analysis errors alike
        out[name] = {"error": f"{type(e).__name__}: {first_line(e)}"}


def concurrent_inserts(table, writers, each):
    """Writers in parallel threads of one session: commits race, the losers get 409 and Iceberg retries them."""
    sql(f"CREATE TABLE {table} (id BIGINT, writer INT) USING iceberg")
    failures = []

    def write(w):
        for i in range(each):
            try:
                sql(f"INSERT INTO {table} VALUES ({w * 100 + i}, {w})")
            except Exception as e:
                failures.append(first_line(e))

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return {
        "rows": sql(f"SELECT count(*) FROM {table}")[0][0],
        "snapshots": sql(f"SELECT count(*) FROM {table}.snapshots")[0][0],
        "failures": failures,
    }


try:
    import pyspark
    from pyspark.sql import SparkSession

    catalog = {
        "spark.sql.catalog.lp": "org.apache.iceberg.spark.SparkCatalog",
        "spark.sql.catalog.lp.type": "rest",
        "spark.sql.catalog.lp.uri": config["uri"],
        "spark.sql.catalog.lp.warehouse": config["warehouse"],
        "spark.sql.catalog.lp.rest.auth.type": "oauth2",
        "spark.sql.catalog.lp.credential": config["credential"],
        "spark.sql.catalog.lp.oauth2-server-uri": config["oauth2ServerUri"],
        "spark.sql.catalog.lp.scope": "catalog",
        # Every statement sees the catalog's current state (time travel and expiry are checked right after commits).
        "spark.sql.catalog.lp.cache-enabled": "false",
    }
    builder = (
        SparkSession.builder.master("local[2]")
        .appName("lakeplane-interop")
        .config("spark.jars", config["jar"])
        .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
        .config("spark.driver.memory", "1g")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
    )
    for key, value in catalog.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    out["spark"] = spark.version
    out["pyspark"] = pyspark.__version__

    step = "CREATE NAMESPACE"
    sql(f"CREATE NAMESPACE lp.{ns} COMMENT 'from spark'")
    out["namespaces"] = [r[0] for r in sql("SHOW NAMESPACES IN lp")]

    step = "CREATE TABLE"
    sql(f"CREATE TABLE {t} (id BIGINT NOT NULL, customer STRING, amount DOUBLE) USING iceberg "
        f"PARTITIONED BY (customer) TBLPROPERTIES ('format-version'='2')")
    out["tables"] = [r[1] for r in sql(f"SHOW TABLES IN lp.{ns}")]

    step = "INSERT"
    sql(f"INSERT INTO {t} VALUES (1, 'ada', 10.0), (2, 'grace', 20.0), (3, 'ada', 30.0)")
    first = sql(f"SELECT snapshot_id, unix_millis(committed_at) FROM {t}.snapshots ORDER BY committed_at")[-1]
    first_snapshot, first_millis = first[0], first[1]
    out["firstSnapshot"] = str(first_snapshot)  # 64-bit: as text, JavaScript's numbers would round it
    out["afterInsert"] = rows(f"SELECT id, customer, amount FROM {t} ORDER BY id")

    step = "MERGE INTO"
    sql(f"""MERGE INTO {t} AS target
            USING (SELECT * FROM VALUES (2L, 'grace', 25.0D), (4L, 'linus', 40.0D) AS s(id, customer, amount)) AS source
            ON target.id = source.id
            WHEN MATCHED THEN UPDATE SET amount = source.amount
            WHEN NOT MATCHED THEN INSERT *""")
    out["afterMerge"] = rows(f"SELECT id, customer, amount FROM {t} ORDER BY id")

    step = "SELECT aggregate"
    out["perCustomer"] = rows(f"SELECT customer, count(*), sum(amount) FROM {t} GROUP BY customer ORDER BY customer")

    step = "VERSION AS OF"
    out["versionAsOf"] = rows(f"SELECT id, amount FROM {t} VERSION AS OF {first_snapshot} ORDER BY id")

    step = "TIMESTAMP AS OF"
    out["timestampAsOf"] = rows(f"SELECT id, amount FROM {t} TIMESTAMP AS OF timestamp_millis({first_millis}) ORDER BY id")

    step = "ALTER TABLE ADD COLUMN"
    sql(f"ALTER TABLE {t} ADD COLUMN note STRING COMMENT 'added later'")
    sql(f"INSERT INTO {t} VALUES (5, 'grace', 50.0, 'new')")
    out["afterAddColumn"] = rows(f"SELECT id, amount, note FROM {t} ORDER BY id")
    out["columns"] = [r[0] for r in sql(f"DESCRIBE TABLE {t}") if r[0] and not r[0].startswith("#")]
    out["oldVersionAfterAddColumn"] = rows(f"SELECT * FROM {t} VERSION AS OF {first_snapshot} ORDER BY id")

    step = "snapshots before expiry"
    out["snapshotsBeforeExpiry"] = [[r[0], str(r[1])] for r in sql(f"SELECT operation, snapshot_id FROM {t}.snapshots ORDER BY committed_at")]

    step = "CALL expire_snapshots"
    # older_than in the future with retain_last 1: everything but the current snapshot goes.
    expired = sql(f"CALL lp.system.expire_snapshots(table => '{ns}.orders', older_than => TIMESTAMP '2999-01-01 00:00:00', retain_last => 1)")
    out["expireSnapshots"] = expired[0].asDict() if expired else None
    out["snapshotsAfterExpiry"] = sql(f"SELECT count(*) FROM {t}.snapshots")[0][0]
    out["rowsAfterExpiry"] = rows(f"SELECT id, amount, note FROM {t} ORDER BY id")
    try:
        sql(f"SELECT * FROM {t} VERSION AS OF {first_snapshot}")
        out["expiredVersion"] = "still readable"
    except Exception as e:
        out["expiredVersion"] = first_line(e)

    # Optional steps: each records its own outcome.
    step = "optional steps"
    attempt("deleteMergeOnRead", lambda: (
        sql(f"ALTER TABLE {t} SET TBLPROPERTIES ('write.delete.mode'='merge-on-read')"),
        sql(f"DELETE FROM {t} WHERE id = 1"),
        rows(f"SELECT id FROM {t} ORDER BY id"),
    )[2])
    attempt("ctas", lambda: (
        sql(f"CREATE TABLE lp.{ns}.big_orders USING iceberg AS SELECT id, amount FROM {t} WHERE amount >= 30"),
        rows(f"SELECT id FROM lp.{ns}.big_orders ORDER BY id"),
    )[1])
    attempt("replaceTableAs", lambda: (
        sql(f"CREATE OR REPLACE TABLE lp.{ns}.big_orders USING iceberg AS SELECT id FROM {t} WHERE amount >= 40"),
        rows(f"SELECT id FROM lp.{ns}.big_orders ORDER BY id"),
        sql(f"SELECT count(*) FROM lp.{ns}.big_orders.history")[0][0],
    )[1:])
    attempt("view", lambda: (
        sql(f"CREATE VIEW lp.{ns}.rich AS SELECT id FROM {t} WHERE amount > 20"),
        rows(f"SELECT * FROM lp.{ns}.rich ORDER BY id"),
        [r[1] for r in sql(f"SHOW VIEWS IN lp.{ns}")],
    )[1:])
    attempt("rewriteDataFiles", lambda: (
        sql(f"CALL lp.system.rewrite_data_files(table => '{ns}.orders', options => map('rewrite-all', 'true'))")[0].asDict(),
        rows(f"SELECT id FROM {t} ORDER BY id"),
    ))
    attempt("tagAndBranch", lambda: (
        sql(f"ALTER TABLE {t} CREATE TAG v1"),
        sql(f"ALTER TABLE {t} CREATE BRANCH dev"),
        sql(f"INSERT INTO {t}.branch_dev VALUES (6, 'ada', 60.0, 'on dev')"),
        [sql(f"SELECT count(*) FROM {t}")[0][0], sql(f"SELECT count(*) FROM {t}.branch_dev")[0][0], sql(f"SELECT count(*) FROM {t} VERSION AS OF 'v1'")[0][0]],
    )[3])
    # Spark hands RENAME TO's name to the catalog as written, so it names no catalog (with `lp.` the REST request
    # would ask for namespace ["lp", ns]).
    attempt("renameTable", lambda: (
        sql(f"ALTER TABLE lp.{ns}.big_orders RENAME TO {ns}.large_orders"),
        sorted(r[1] for r in sql(f"SHOW TABLES IN lp.{ns}")),
    )[1])
    attempt("concurrentInserts", lambda: concurrent_inserts(f"lp.{ns}.busy", writers=3, each=2))
    attempt("dropAll", lambda: (
        sql(f"DROP TABLE IF EXISTS lp.{ns}.busy PURGE"),
        sql(f"DROP VIEW IF EXISTS lp.{ns}.rich"),
        sql(f"DROP TABLE lp.{ns}.large_orders PURGE"),
        sql(f"DROP TABLE {t}"),
        sql(f"DROP NAMESPACE lp.{ns}"),
        [r[0] for r in sql("SHOW NAMESPACES IN lp")],
    )[-1])

    spark.stop()
    print(json.dumps(out, default=str))
except Exception as e:
    message = str(e).strip()
    print(json.dumps({"error": f"{type(e).__name__}: {message[:4000]}", "step": step, "trace": traceback.format_exc()[-6000:], "steps": out}, default=str))
    sys.exit(1)
