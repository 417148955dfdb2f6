"""PyIceberg, unchanged, against Lakeplane's Iceberg REST catalog with a warehouse on S3 and static credential vending.

Run by test/interop/pyiceberg-s3.test.ts as `python pyiceberg_s3_roundtrip.py '<json config>'` with
{"uri", "warehouse", "credential", "oauth2ServerUri", "namespace", "checkpoints", "headers"}. The client is told nothing
about S3 (no keys, endpoint or region, and the test strips AWS_* from its environment): its S3 file system is configured
from loadTable's `config` and `storage-credentials` alone. "headers" (optional) become the catalog's `header.<Name>`
properties: {"X-Iceberg-Access-Delegation": "remote-signing"} asks for remote signing instead of credentials.

With "checkpoints": true it stops once, after the writes, at {"checkpoint": "written", ...} and waits for "go" on stdin
(the test lists the bucket meanwhile), then purges the table. Prints one JSON object on stdout (the last line): what
each step saw. On a failure it prints {"error", "step", "trace", "steps"} and exits 1.
"""

import hashlib
import json
import sys
import traceback

import pyarrow as pa
import pyiceberg
from pyiceberg.catalog import load_catalog
from pyiceberg.schema import Schema
from pyiceberg.types import IntegerType, LongType, NestedField, StringType

config = json.loads(sys.argv[1])
ns = config["namespace"]
ident = f"{ns}.people"
out = {"pyiceberg": pyiceberg.__version__, "pyarrow": pa.__version__}
step = "connect"

# What S3 settings the table's FileIO got (from the catalog: the client configured none). The secret as its SHA-256.
S3_KEYS = (
    "s3.endpoint", "s3.access-key-id", "s3.secret-access-key", "s3.session-token", "s3.region", "client.region", "s3.path-style-access",
    "s3.remote-signing-enabled", "s3.signer", "s3.signer.endpoint", "py-io-impl",
)


def s3_settings(table):
    props = table.io.properties
    seen = {k: props[k] for k in S3_KEYS if k in props}
    if "s3.secret-access-key" in seen:
        seen["s3.secret-access-key"] = "sha256:" + hashlib.sha256(seen["s3.secret-access-key"].encode()).hexdigest()
    return seen


def rows(table, **scan):
    """The table's rows as plain dicts, ordered by id."""
    return sorted(table.scan(**scan).to_arrow().to_pylist(), key=lambda r: r["id"])


def checkpoint(name, **data):
    """Stops until the test answers (it looks at the bucket meanwhile)."""
    if not config.get("checkpoints"):
        return
    print(json.dumps({"checkpoint": name, **data}, default=str), flush=True)
    answer = sys.stdin.readline().strip()
    if answer != "go":
        raise RuntimeError(f"the test answered {answer!r} at checkpoint {name}")


try:
    # Only the catalog: no s3.* property, no py-io-impl (PyIceberg picks PyArrow's S3 file system for s3://).
    catalog = load_catalog(
        "lakeplane",
        **{
            "type": "rest",
            "uri": config["uri"],
            "warehouse": config["warehouse"],
            "credential": config["credential"],
            "oauth2-server-uri": config["oauth2ServerUri"],
            "scope": "catalog",
            **{f"header.{name}": value for name, value in config.get("headers", {}).items()},
        },
    )
    out["catalogProperties"] = sorted(k for k in catalog.properties if k.startswith(("s3.", "client.")))

    step = "create namespace"
    catalog.create_namespace(ns)

    step = "create table"
    schema = Schema(NestedField(1, "id", LongType(), required=True), NestedField(2, "name", StringType(), required=False))
    table = catalog.create_table(ident, schema=schema)
    out["location"] = table.location()
    out["ioOfCreate"] = s3_settings(table)

    step = "first append"
    arrow_schema = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("name", pa.string())])
    table.append(pa.Table.from_pylist([{"id": 1, "name": "ada"}, {"id": 2, "name": "grace"}, {"id": 3, "name": "linus"}], schema=arrow_schema))
    first_snapshot = table.current_snapshot().snapshot_id

    step = "read after first append"
    loaded = catalog.load_table(ident)
    out["ioOfLoad"] = s3_settings(loaded)
    out["fileIO"] = type(loaded.io).__name__
    out["afterFirstAppend"] = rows(loaded)

    step = "add column"
    with loaded.update_schema() as update:
        update.add_column("age", IntegerType())
    out["schemaAfterEvolution"] = [{"id": f.field_id, "name": f.name, "type": str(f.field_type)} for f in loaded.schema().fields]

    step = "second append"
    arrow_schema2 = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("name", pa.string()), pa.field("age", pa.int32())])
    loaded.append(pa.Table.from_pylist([{"id": 4, "name": "barbara", "age": 36}, {"id": 5, "name": "edsger", "age": 72}], schema=arrow_schema2))

    step = "read after evolution"
    again = catalog.load_table(ident)
    out["afterSecondAppend"] = rows(again)
    out["atFirstSnapshot"] = rows(again, snapshot_id=first_snapshot)
    out["snapshots"] = len(again.metadata.snapshots)
    out["metadataLocation"] = again.metadata_location
    out["dataFiles"] = sorted(again.inspect.files().column("file_path").to_pylist())
    out["manifestLists"] = sorted(s.manifest_list for s in again.metadata.snapshots)
    out["manifests"] = sorted(again.inspect.manifests().column("path").to_pylist())
    out["metadataLog"] = [e.metadata_file for e in again.metadata.metadata_log]

    step = "checkpoint written"
    checkpoint("written", location=out["location"], dataFiles=out["dataFiles"], metadataLocation=out["metadataLocation"])

    step = "purge table"
    # PyIceberg asks the catalog to purge (purgeRequested=True): the server deletes the table's objects.
    catalog.purge_table(ident)
    out["tablesAfterPurge"] = [".".join(t) for t in catalog.list_tables(ns)]
    catalog.drop_namespace(ns)
    out["namespacesAfterDrop"] = [list(n) for n in catalog.list_namespaces()]

    print(json.dumps(out, default=str))
except Exception as e:  # report everything the test needs to say what went wrong
    print(json.dumps({"error": f"{type(e).__name__}: {e}", "step": step, "trace": traceback.format_exc(), "steps": out}, default=str))
    sys.exit(1)
