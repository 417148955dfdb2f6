"""PyIceberg against Lakeplane's Iceberg REST catalog through the gateway, for the end-to-end suite on the local cluster.

Run as `python engines_pyiceberg.py '<json config>'` with {"uri", "warehouse", "credential", "oauth2ServerUri", "op"}:
  write   creates the namespaces default and sales and the table sales.customers, appends two customers, reads them back
  read    reads sales.orders (which Spark wrote)
Prints one JSON object on stdout (the last line); on a failure {"error", "step", "trace"} and exits 1.
"""

import json
import sys
import traceback

import pyarrow as pa
from pyiceberg.catalog import load_catalog
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField, StringType

config = json.loads(sys.argv[1])
out = {}
step = "connect"


def rows(table):
    return sorted(table.scan().to_arrow().to_pylist(), key=lambda r: r["id"])


try:
    catalog = load_catalog(
        "lakeplane",
        **{
            "type": "rest",
            "uri": config["uri"],
            "warehouse": config["warehouse"],
            "credential": config["credential"],
            "oauth2-server-uri": config["oauth2ServerUri"],
            "scope": "catalog",
        },
    )
    if config["op"] == "write":
        step = "create namespaces"
        for ns in ("default", "sales"):
            catalog.create_namespace(ns)
        out["namespaces"] = sorted(".".join(n) for n in catalog.list_namespaces())
        step = "create table"
        schema = Schema(
            NestedField(1, "id", LongType(), required=False),
            NestedField(2, "email", StringType(), required=False),
            NestedField(3, "region", StringType(), required=False),
        )
        table = catalog.create_table("sales.customers", schema)
        step = "append"
        table.append(
            pa.Table.from_pylist(
                [
                    {"id": 1, "email": "ada@example.com", "region": "north"},
                    {"id": 2, "email": "bob@example.com", "region": "south"},
                ],
                schema=pa.schema([("id", pa.int64()), ("email", pa.string()), ("region", pa.string())]),
            )
        )
        out["customers"] = rows(catalog.load_table("sales.customers"))
    else:
        step = "read sales.orders"
        out["orders"] = rows(catalog.load_table("sales.orders"))
except Exception as e:
    print(json.dumps({"error": f"{type(e).__name__}: {e}", "step": step, "trace": traceback.format_exc()}))
    sys.exit(1)
print(json.dumps(out))
