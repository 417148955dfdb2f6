"""Reaches lakehouses by name through the platform's edge, as clients outside the cluster do: PyHive over HiveServer2's
HTTP transport (POST http://HOST:PORT/lakehouses/<name>/hive, the user name and token as Basic credentials) and
PySpark's Spark Connect client over h2c (sc://HOST:PORT/;user_id=..;x-lakeplane-lakehouse=<name>;x-lakeplane-token=..).
Input (argv[1], JSON): {"port", "steps": [...]}; each step has an "id", "via" ("hive" | "connect"), "lakehouse", "user",
"token" and an "op":
  connect              open the connection/session only (a refusal shows here)
  sql {sql}            run a statement; the answer is its rows
  count {sql}          run a statement and answer only how many rows and bytes of text came back (large results)
Connect steps may give "retries" (the client's max_retries; pyspark retries UNAVAILABLE for minutes by default).
Connections are kept per (via, lakehouse, user, token) for the run. Answers one JSON line:
{"results": {id: {"ok": ...} | {"error": "..."}}}."""
import base64
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
    return v


def open_connection(step):
    key = (step["via"], step["lakehouse"], step["user"], step.get("token"))
    if key in connections:
        return connections[key]
    if step["via"] == "hive":
        from pyhive import hive
        from thrift.transport import THttpClient

        transport = THttpClient.THttpClient(f"http://127.0.0.1:{config['port']}/lakehouses/{step['lakehouse']}/hive")
        credentials = base64.b64encode(f"{step['user']}:{step.get('token') or ''}".encode()).decode()
        transport.setCustomHeaders({"Authorization": f"Basic {credentials}"})
        conn = hive.connect(thrift_transport=transport, username=step["user"])
    else:
        from pyspark.sql import SparkSession

        url = f"sc://127.0.0.1:{config['port']}/;user_id={step['user']};x-lakeplane-lakehouse={step['lakehouse']}"
        if step.get("token"):
            url += f";x-lakeplane-token={step['token']}"
        if "retries" in step:
            # The session's first RPC (Config) is made while it is created, so the policy goes in before.
            from pyspark.sql.connect.client import core

            made = core.SparkConnectClient.__init__

            def with_retries(self, *args, **kwargs):
                kwargs["retry_policy"] = {"max_retries": step["retries"]}
                made(self, *args, **kwargs)

            core.SparkConnectClient.__init__ = with_retries
        builder = SparkSession.builder.remote(url)
        conn = builder.create() if hasattr(builder, "create") else builder.getOrCreate()
        # The first RPC is where a refusal shows.
        conn.sql("SELECT 1").collect()
    connections[key] = conn
    return conn


def rows_of(conn, via, sql):
    if via == "hive":
        cursor = conn.cursor()
        try:
            cursor.execute(sql)
            if cursor.description is None:
                return []
            try:
                return cursor.fetchall()
            except TypeError:  # PyHive's fetchall after DDL: the statement has no result set
                return []
        finally:
            cursor.close()
    return conn.sql(sql).collect()


def run(step):
    conn = open_connection(step)
    if step["op"] == "connect":
        return True
    if step["op"] == "sql":
        return [[plain(v) for v in row] for row in rows_of(conn, step["via"], step["sql"])]
    if step["op"] == "count":
        started = time.monotonic()
        if step["via"] == "connect":
            frame = conn.sql(step["sql"]).toPandas()
            count = len(frame)
            chars = int(sum(frame[c].astype(str).str.len().sum() for c in frame.columns))
        else:
            rows = rows_of(conn, "hive", step["sql"])
            count = len(rows)
            chars = sum(len(str(v)) for row in rows for v in row)
        return {"rows": count, "chars": chars, "seconds": round(time.monotonic() - started, 1)}
    raise ValueError(f"unknown op {step['op']}")


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
