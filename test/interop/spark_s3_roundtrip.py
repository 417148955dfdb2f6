"""Apache Spark 3.5 with Iceberg's runtime and AWS bundle, unchanged, against Lakeplane's Iceberg REST catalog with a
warehouse on S3 and static credential vending.

Run by test/interop/spark-s3.test.ts as `python spark_s3_roundtrip.py '<json config>'` with
{"uri", "warehouse", "credential", "oauth2ServerUri", "namespace", "jars", "checkpoints"}. The catalog is configured
with its URI, warehouse and service account only: no io-impl (the REST catalog's default ResolvingFileIO picks
S3FileIO for s3://), no endpoint, region or keys (the test strips AWS_* from the environment): S3FileIO takes them
from loadTable's `config` and `storage-credentials`.

With "checkpoints": true it stops once, before DROP TABLE ... PURGE, at {"checkpoint": "beforeDrop", ...} and waits
for "go" on stdin (the test lists the bucket meanwhile). Prints one JSON object on stdout (the last line): what each
statement returned. On a failure it prints {"error", "step", "trace", "steps"} and exits 1.
"""

import json
import sys
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


def checkpoint(name, **data):
    """Stops until the test answers (it looks at the bucket meanwhile)."""
    if not config.get("checkpoints"):
        return
    print(json.dumps({"checkpoint": name, **data}, default=str), flush=True)
    answer = sys.stdin.readline().strip()
    if answer != "go":
        raise RuntimeError(f"the test answered {answer!r} at checkpoint {name}")


def file_io(table_name):
    """What FileIO the Java client built for a table, and what S3 settings it holds (no secret)."""
    jvm = spark._jvm
    catalog = spark._jsparkSession.sessionState().catalogManager().catalog("lp").icebergCatalog()
    table = catalog.loadTable(jvm.org.apache.iceberg.catalog.TableIdentifier.parse(f"{ns}.{table_name}"))
    io = table.io()
    props = dict(io.properties())
    seen = {"class": io.getClass().getName()}
    if seen["class"] == "org.apache.iceberg.io.ResolvingFileIO":  # the FileIO it hands the table's location to
        seen["delegate"] = io.ioClass(table.location()).getName()
    seen["properties"] = sorted(k for k in props if k.startswith(("s3.", "client.")))
    try:  # SupportsStorageCredentials (py4j cannot tell whether a method exists before calling it)
        seen["storageCredentials"] = [{"prefix": c.prefix(), "keys": sorted(dict(c.config()).keys())} for c in io.credentials()]
    except Exception as e:
        seen["storageCredentials"] = f"{type(e).__name__}"
    return seen


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
        # Optional extra catalog properties ({"header.X-Iceberg-Access-Delegation": "remote-signing"}).
        **{f"spark.sql.catalog.lp.{k}": v for k, v in config.get("catalogProperties", {}).items()},
    }
    builder = (
        SparkSession.builder.master("local[2]")
        .appName("lakeplane-interop-s3")
        .config("spark.jars", ",".join(config["jars"]))
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
    sql(f"CREATE NAMESPACE lp.{ns}")

    step = "CREATE TABLE"
    sql(f"CREATE TABLE {t} (id BIGINT NOT NULL, customer STRING, amount DOUBLE) USING iceberg "
        f"PARTITIONED BY (customer) TBLPROPERTIES ('format-version'='2')")
    out["tables"] = [r[1] for r in sql(f"SHOW TABLES IN lp.{ns}")]
    out["location"] = next(r[1] for r in sql(f"DESCRIBE TABLE EXTENDED {t}") if r[0] == "Location")
    out["fileIO"] = file_io("orders")

    step = "INSERT"
    sql(f"INSERT INTO {t} VALUES (1, 'ada', 10.0), (2, 'grace', 20.0), (3, 'ada', 30.0)")
    first = sql(f"SELECT snapshot_id, unix_millis(committed_at) FROM {t}.snapshots ORDER BY committed_at")[-1]
    first_snapshot, first_millis = first[0], first[1]
    out["firstSnapshot"] = str(first_snapshot)  # 64-bit: as text, JavaScript's numbers would round it
    out["afterInsert"] = rows(f"SELECT id, customer, amount FROM {t} ORDER BY id")

    step = "MERGE INTO"
    # Copy-on-write (the default): grace's partition file is rewritten, the old one stays for the first snapshot.
    sql(f"""MERGE INTO {t} AS target
            USING (SELECT * FROM VALUES (2L, 'grace', 25.0D), (4L, 'linus', 40.0D) AS s(id, customer, amount)) AS source
            ON target.id = source.id
            WHEN MATCHED THEN UPDATE SET amount = source.amount
            WHEN NOT MATCHED THEN INSERT *""")
    out["afterMerge"] = rows(f"SELECT id, customer, amount FROM {t} ORDER BY id")

    step = "SELECT aggregate"
    out["perCustomer"] = rows(f"SELECT customer, count(*), sum(amount) FROM {t} GROUP BY customer ORDER BY customer")

    step = "time travel"
    out["versionAsOf"] = rows(f"SELECT id, amount FROM {t} VERSION AS OF {first_snapshot} ORDER BY id")
    out["timestampAsOf"] = rows(f"SELECT id, amount FROM {t} TIMESTAMP AS OF timestamp_millis({first_millis}) ORDER BY id")

    step = "ALTER TABLE ADD COLUMN"
    sql(f"ALTER TABLE {t} ADD COLUMN note STRING")
    sql(f"INSERT INTO {t} VALUES (5, 'grace', 50.0, 'new')")
    out["afterAddColumn"] = rows(f"SELECT id, amount, note FROM {t} ORDER BY id")
    out["oldVersionAfterAddColumn"] = rows(f"SELECT * FROM {t} VERSION AS OF {first_snapshot} ORDER BY id")

    step = "CALL expire_snapshots"
    all_before = sorted({r[0] for r in sql(f"SELECT file_path FROM {t}.all_data_files")})
    out["snapshotsBeforeExpiry"] = sql(f"SELECT count(*) FROM {t}.snapshots")[0][0]
    expired = sql(f"CALL lp.system.expire_snapshots(table => '{ns}.orders', older_than => TIMESTAMP '2999-01-01 00:00:00', retain_last => 1)")
    out["expireSnapshots"] = expired[0].asDict() if expired else None
    out["snapshotsAfterExpiry"] = sql(f"SELECT count(*) FROM {t}.snapshots")[0][0]
    out["rowsAfterExpiry"] = rows(f"SELECT id, amount, note FROM {t} ORDER BY id")
    out["dataFiles"] = sorted(r[0] for r in sql(f"SELECT file_path FROM {t}.files"))
    out["expiredDataFiles"] = sorted(set(all_before) - set(out["dataFiles"]))
    out["manifestLists"] = sorted(r[0] for r in sql(f"SELECT manifest_list FROM {t}.snapshots"))
    out["manifests"] = sorted(r[0] for r in sql(f"SELECT path FROM {t}.manifests"))
    out["metadataFiles"] = sorted(r[0] for r in sql(f"SELECT file FROM {t}.metadata_log_entries"))

    step = "checkpoint beforeDrop"
    checkpoint("beforeDrop", location=out["location"], dataFiles=out["dataFiles"], expiredDataFiles=out["expiredDataFiles"])

    step = "DROP TABLE PURGE"
    # Iceberg 1.11's SparkCatalog drops at the catalog without purgeRequested, then deletes every file reachable from
    # the last metadata itself, through the table's FileIO: the vended credentials again.
    # "keepFiles": plain DROP TABLE (a server whose purge cannot run there, as s3s-fs's folders, keeps the files).
    sql(f"DROP TABLE {t}" if config.get("keepFiles") else f"DROP TABLE {t} PURGE")
    out["tablesAfterDrop"] = [r[1] for r in sql(f"SHOW TABLES IN lp.{ns}")]
    sql(f"DROP NAMESPACE lp.{ns}")
    out["namespacesAfterDrop"] = [r[0] for r in sql("SHOW NAMESPACES IN lp")]

    spark.stop()
    print(json.dumps(out, default=str))
except Exception as e:
    message = str(e).strip()
    print(json.dumps({"error": f"{type(e).__name__}: {message[:4000]}", "step": step, "trace": traceback.format_exc()[-6000:], "steps": out}, default=str))
    sys.exit(1)
