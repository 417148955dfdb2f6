"""PyIceberg, unchanged, against Lakeplane's Iceberg REST catalog: a round trip a data engineer would do.

Run by test/interop/pyiceberg.test.ts as `python pyiceberg_roundtrip.py '<json config>'` with
{"uri", "warehouse", "credential", "oauth2ServerUri", "namespace"}. Prints one JSON object on stdout (the last line):
what each step saw, for the test to assert on. On a failure it prints {"error", "step", "trace", "steps"} and exits 1.
"""

import json
import sys
import traceback
from datetime import datetime, timedelta, timezone

import pyarrow as pa
import pyiceberg
from pyiceberg.catalog import load_catalog
from pyiceberg.exceptions import NamespaceAlreadyExistsError
from pyiceberg.expressions import EqualTo
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import DayTransform, IdentityTransform
from pyiceberg.types import IntegerType, LongType, NestedField, StringType, TimestamptzType
from pyiceberg.view.metadata import SQLViewRepresentation, ViewVersion

config = json.loads(sys.argv[1])
ns = config["namespace"]
ident = f"{ns}.people"
out = {"pyiceberg": pyiceberg.__version__, "pyarrow": pa.__version__}
step = "connect"


def attempt(name, fn):
    """Runs one optional step: {"ok": result} or {"error": "Type: message"}."""
    try:
        out[name] = {"ok": fn()}
    except Exception as e:
        out[name] = {"error": f"{type(e).__name__}: {e}"}


def rows(table, **scan):
    """The table's rows as plain dicts, ordered by id."""
    data = table.scan(**scan).to_arrow().to_pylist()
    return sorted(data, key=lambda r: r["id"])


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

    step = "create namespace"
    catalog.create_namespace(ns, {"owner": "interop"})
    out["namespaceProperties"] = catalog.load_namespace_properties(ns)
    out["namespaces"] = [list(n) for n in catalog.list_namespaces()]
    try:
        catalog.create_namespace(ns)
        out["duplicateNamespace"] = "accepted"
    except NamespaceAlreadyExistsError:
        out["duplicateNamespace"] = "NamespaceAlreadyExistsError"

    step = "create table"
    schema = Schema(
        NestedField(1, "id", LongType(), required=True),
        NestedField(2, "name", StringType(), required=False),
    )
    table = catalog.create_table(ident, schema=schema, properties={"created-by": "pyiceberg"})
    out["location"] = table.location()
    out["formatVersion"] = table.format_version
    out["tables"] = [".".join(t) for t in catalog.list_tables(ns)]

    step = "first append"
    arrow_schema = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("name", pa.string())])
    table.append(pa.Table.from_pylist([{"id": 1, "name": "ada"}, {"id": 2, "name": "grace"}, {"id": 3, "name": "linus"}], schema=arrow_schema))
    first_snapshot = table.current_snapshot().snapshot_id

    step = "read after first append"
    reloaded = catalog.load_table(ident)
    out["afterFirstAppend"] = {"rows": rows(reloaded), "snapshotId": str(reloaded.current_snapshot().snapshot_id)}

    step = "add column"
    with reloaded.update_schema() as update:
        update.add_column("age", IntegerType(), doc="years")
    out["schemaAfterEvolution"] = [{"id": f.field_id, "name": f.name, "type": str(f.field_type)} for f in reloaded.schema().fields]

    step = "second append"
    arrow_schema2 = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("name", pa.string()), pa.field("age", pa.int32())])
    reloaded.append(pa.Table.from_pylist([{"id": 4, "name": "barbara", "age": 36}, {"id": 5, "name": "edsger", "age": 72}], schema=arrow_schema2))

    step = "read after evolution"
    again = catalog.load_table(ident)
    out["afterSecondAppend"] = {
        "rows": rows(again),
        "count": again.scan().to_arrow().num_rows,
        "schemaId": again.schema().schema_id,
        "snapshots": len(again.metadata.snapshots),
        "historyOps": [s.summary.operation.value for s in again.metadata.snapshots],
    }

    step = "time travel"
    out["atFirstSnapshot"] = rows(again, snapshot_id=first_snapshot)

    step = "filtered scan"
    out["olderThan40"] = [r["name"] for r in rows(again, row_filter="age < 40")]

    step = "delete"
    again.delete("id = 2")
    out["afterDelete"] = [r["id"] for r in rows(catalog.load_table(ident))]

    step = "properties"
    with catalog.load_table(ident).transaction() as tx:
        tx.set_properties({"comment": "from pyiceberg"})
    out["properties"] = dict(catalog.load_table(ident).properties)

    step = "partitioned table"
    events_schema = Schema(
        NestedField(1, "id", LongType(), required=True),
        NestedField(2, "ts", TimestamptzType(), required=False),
        NestedField(3, "kind", StringType(), required=False),
        identifier_field_ids=[1],
    )
    spec = PartitionSpec(PartitionField(2, 1000, DayTransform(), "ts_day"), PartitionField(3, 1001, IdentityTransform(), "kind"))
    events = catalog.create_table(f"{ns}.events", schema=events_schema, partition_spec=spec)
    day0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    events_arrow = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("ts", pa.timestamp("us", tz="UTC")), pa.field("kind", pa.string())])
    # ids 0..9 over 3 days and 2 kinds: every (day, kind) pair, so 6 partitions
    events.append(pa.Table.from_pylist([{"id": i, "ts": day0 + timedelta(days=i % 3), "kind": "ab"[i % 2]} for i in range(10)], schema=events_arrow))
    out["partitioned"] = {"files": len(events.inspect.files()), "spec": [f.name for f in events.spec().fields]}

    step = "overwrite with a filter"
    events.overwrite(pa.Table.from_pylist([{"id": 100, "ts": day0, "kind": "a"}], schema=events_arrow), overwrite_filter=EqualTo("kind", "a"))
    out["afterOverwrite"] = sorted(r["id"] for r in catalog.load_table(f"{ns}.events").scan().to_arrow().to_pylist())

    step = "upsert"
    result = catalog.load_table(f"{ns}.events").upsert(pa.Table.from_pylist([{"id": 1, "ts": day0, "kind": "z"}, {"id": 200, "ts": day0, "kind": "b"}], schema=events_arrow))
    out["upsert"] = {"updated": result.rows_updated, "inserted": result.rows_inserted}
    after = catalog.load_table(f"{ns}.events")
    out["afterUpsert"] = sorted([r["id"], r["kind"]] for r in after.scan().to_arrow().to_pylist())

    step = "tag"
    after.manage_snapshots().create_tag(after.current_snapshot().snapshot_id, "v1").commit()
    out["refs"] = sorted(catalog.load_table(f"{ns}.events").refs().keys())

    step = "view"
    version = ViewVersion(
        version_id=1, schema_id=0, timestamp_ms=1767225600000, summary={"engine-name": "pyiceberg"}, default_namespace=[ns],
        representations=[SQLViewRepresentation(type="sql", sql=f"SELECT id FROM {ns}.events WHERE kind = 'b'", dialect="spark")],
    )
    catalog.create_view(f"{ns}.b_events", schema=Schema(NestedField(1, "id", LongType(), required=False)), view_version=version)
    loaded_view = catalog.load_view(f"{ns}.b_events")
    out["view"] = {
        "listed": [".".join(v) for v in catalog.list_views(ns)],
        "sql": loaded_view.metadata.versions[0].representations[0].root.sql,
        "tablesStillOnlyTables": sorted(".".join(t) for t in catalog.list_tables(ns)),
    }
    catalog.drop_view(f"{ns}.b_events")
    out["viewExistsAfterDrop"] = catalog.view_exists(f"{ns}.b_events")

    # From here on each step is tried on its own: a failure is recorded (and asserted by the test) but the rest go on.
    step = "optional steps"
    # Without oauth2-server-uri PyIceberg asks the catalog's deprecated {uri}/v1/oauth/tokens.
    attempt("deprecatedTokenEndpoint", lambda: [list(n) for n in load_catalog("legacy", **{
        "type": "rest", "uri": config["uri"], "warehouse": config["warehouse"], "credential": config["credential"],
    }).list_namespaces()])
    attempt("rename", lambda: (catalog.rename_table(ident, f"{ns}.people_renamed"), [".".join(t) for t in catalog.list_tables(ns)])[1])
    attempt("dropTable", lambda: (
        catalog.drop_table(f"{ns}.people_renamed"),
        catalog.purge_table(f"{ns}.events"),
        [".".join(t) for t in catalog.list_tables(ns)],
    )[2])
    attempt("dropNamespace", lambda: (catalog.drop_namespace(ns), [list(n) for n in catalog.list_namespaces()])[1])

    print(json.dumps(out, default=str))
except Exception as e:  # report everything the test needs to say what went wrong
    print(json.dumps({"error": f"{type(e).__name__}: {e}", "step": step, "trace": traceback.format_exc(), "steps": out}, default=str))
    sys.exit(1)
