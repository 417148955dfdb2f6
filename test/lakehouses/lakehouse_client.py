"""Runs SQL against a lakehouse's two endpoints as real clients do: PyHive over HiveServer2 and PySpark's Spark Connect
client. Input (argv[1], JSON): {"hs2Port", "connectPort", "steps": [...]}; each step has an "id", "via" ("hs2" |
"connect"), "user", "token" and an "op":
  connect                      open the connection/session only (a refused credential shows here)
  sql {sql}                    run a statement; the answer is its rows
  readParquet {path}           spark.read.parquet(path) (Connect)
  readFormat {format, path}    spark.read.format(format).load(path) (Connect)
  writeParquet {sql, path}     spark.sql(sql).write.parquet(path) (Connect)
  pythonUdf {path}             a Python UDF that reads a file on the server (Connect)
  confSet {key, value}         spark.conf.set (Connect)
  checkpoint {name}            ask the test (stdout line) and wait for its answer on stdin
  poll {sql, timeoutS}         repeat a statement until it succeeds (same session), answer rows and seconds taken
Connections are kept per (via, user, token, conf) for the whole run, so later steps reuse the same session.
Answers one JSON line: {"results": {id: {"ok": ...} | {"error": "..."}}}."""
import datetime
import decimal
import json
import sys
import time

config = json.loads(sys.argv[1])
connections = {}


def plain(v):
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, (bytes, bytearray)):
        return v.hex()
    return v


def open_connection(step):
    key = (step["via"], step["user"], step.get("token"), json.dumps(step.get("hiveconf") or {}))
    if key in connections:
        return connections[key]
    if step["via"] == "hs2":
        from pyhive import hive

        conn = hive.connect(host="127.0.0.1", port=config["hs2Port"], username=step["user"], password=step.get("token") or None,
                            auth="CUSTOM" if step.get("token") else "NONE", configuration=step.get("hiveconf"))
    else:
        from pyspark.sql import SparkSession

        url = f"sc://127.0.0.1:{config['connectPort']}/;user_id={step['user']}"
        if step.get("token"):
            url += f";x-lakeplane-token={step['token']}"
        builder = SparkSession.builder.remote(url)
        conn = builder.create() if hasattr(builder, "create") else builder.getOrCreate()
        # The first RPC is where a refused credential shows.
        conn.sql("SELECT 1").collect()
    connections[key] = conn
    return conn


def run_sql(conn, via, sql):
    if via == "hs2":
        cursor = conn.cursor()
        try:
            cursor.execute(sql)
            if cursor.description is None:
                return []
            try:
                rows = cursor.fetchall()
            except TypeError:  # PyHive's fetchall after DDL: the statement has no result set
                return []
            return [[plain(v) for v in row] for row in rows]
        finally:
            cursor.close()
    return [[plain(v) for v in row] for row in conn.sql(sql).collect()]


def run(step):
    op = step["op"]
    if op == "checkpoint":
        print(json.dumps({"checkpoint": step["name"]}), flush=True)
        answer = sys.stdin.readline().strip()
        if answer != "go":
            raise RuntimeError(f"the test answered {answer!r}")
        return True
    conn = open_connection(step)
    if op == "connect":
        return True
    if op == "sql":
        return run_sql(conn, step["via"], step["sql"])
    if op == "readParquet":
        return [[plain(v) for v in row] for row in conn.read.parquet(step["path"]).collect()]
    if op == "readFormat":
        return [[plain(v) for v in row] for row in conn.read.format(step["format"]).load(step["path"]).collect()]
    if op == "writeParquet":
        conn.sql(step["sql"]).write.mode("overwrite").parquet(step["path"])
        return True
    if op == "pythonUdf":
        from pyspark.sql.functions import udf

        path = step["path"].replace("file:", "", 1)
        peek = udf(lambda _: open(path, "rb").read(64).hex())
        return [[plain(v) for v in row] for row in conn.range(1).select(peek("id")).collect()]
    if op == "confSet":
        conn.conf.set(step["key"], step["value"])
        return conn.conf.get(step["key"])
    if op == "poll":
        started = time.monotonic()
        last = None
        while time.monotonic() - started < step.get("timeoutS", 30):
            try:
                return {"rows": run_sql(conn, step["via"], step["sql"]), "seconds": round(time.monotonic() - started, 1)}
            except Exception as e:  # noqa: BLE001 - polling until the policy change shows
                last = e
                time.sleep(0.5)
        raise RuntimeError(f"still failing after {step.get('timeoutS', 30)} s: {last}")
    raise ValueError(f"unknown op {op}")


results = {}
for step in config["steps"]:
    try:
        results[step["id"]] = {"ok": run(step)}
    except Exception as e:  # noqa: BLE001 - every failure is an answer the test asserts on
        results[step["id"]] = {"error": f"{type(e).__name__}: {e}"[:4000]}
print(json.dumps({"results": results}), flush=True)
for conn in connections.values():
    try:
        conn.close() if hasattr(conn, "cursor") else conn.stop()
    except Exception:  # noqa: BLE001
        pass
