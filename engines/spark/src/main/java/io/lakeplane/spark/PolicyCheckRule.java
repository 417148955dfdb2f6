package io.lakeplane.spark;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.ResolvedIdentifier;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.analysis.ResolvedTable;
import org.apache.spark.sql.catalyst.catalog.HiveTableRelation;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.plans.logical.AppendData;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.CreateTable;
import org.apache.spark.sql.catalyst.plans.logical.CreateTableAsSelect;
import org.apache.spark.sql.catalyst.plans.logical.DeleteFromTable;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.MergeIntoTable;
import org.apache.spark.sql.catalyst.plans.logical.OverwriteByExpression;
import org.apache.spark.sql.catalyst.plans.logical.OverwritePartitionsDynamic;
import org.apache.spark.sql.catalyst.plans.logical.ReplaceData;
import org.apache.spark.sql.catalyst.plans.logical.ReplaceTable;
import org.apache.spark.sql.catalyst.plans.logical.ReplaceTableAsSelect;
import org.apache.spark.sql.catalyst.plans.logical.TableSpecBase;
import org.apache.spark.sql.catalyst.plans.logical.UpdateTable;
import org.apache.spark.sql.catalyst.plans.logical.V2WriteCommand;
import org.apache.spark.sql.catalyst.plans.logical.WriteDelta;
import org.apache.spark.sql.connector.catalog.CatalogPlugin;
import org.apache.spark.sql.execution.command.InsertIntoDataSourceDirCommand;
import org.apache.spark.sql.execution.command.SetCommand;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import org.apache.spark.sql.connector.write.RowLevelOperation;
import scala.Option;
import scala.Tuple2;
import scala.collection.JavaConverters;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * The rest of enforcement, an analyzer check rule on every analyzed plan:
 *  - pinned settings (Settings.pinned) cannot be SET, by anyone;
 *  - a session with no authenticated user touches no table;
 *  - for users without admin rights: direct file access by path is decided by the url policies, as Ranger's Hive and
 *    Spark plugins decide it: a read (parquet.`path`, spark.read.parquet(path), a file-based DSv2 table) needs `read`
 *    on each root path, a write (INSERT OVERWRITE DIRECTORY, df.write.parquet(path)) `write` on the output path
 *    (FileAccess); other relations over files that map to no path (Hive and session-catalog tables, streams, RDDs)
 *    stay refused; no Iceberg metadata tables (t.files shows raw min/max values),
 *    no tables outside Lakeplane's catalogs, no procedures (CALL), no jars, functions or file-writing commands, no
 *    explicit table locations, no code of their own (scripts, Python UDFs, reflect); and writes need the matching access from the decide API: INSERT needs insert,
 *    overwrites and row-level changes (which Spark runs as reads of the whole table plus a rewrite) need the write
 *    accesses and an unrestricted read (no row filter, no mask), or a filtered user could replace rows they cannot see;
 *  - every read of a Lakeplane table went through PolicyRewriteRule.
 */
public final class PolicyCheckRule extends AbstractFunction1<LogicalPlan, BoxedUnit> {
  /**
   * Commands that run code, write files or make tables outside the catalogs: admins only. The path writes among them
   * (InsertIntoHadoopFsRelationCommand, Insert*DirCommand) are let through when FileAccess maps them to their path.
   */
  private static final Set<String> ADMIN_COMMANDS = Set.of(
      "AddJarsCommand", "AddFilesCommand", "AddArchivesCommand", "CreateFunctionCommand", "CreateFunction", "CreateTempViewUsing",
      "CreateDataSourceTableCommand", "CreateDataSourceTableAsSelectCommand", "CreateHiveTableAsSelectCommand",
      "OptimizedCreateHiveTableAsSelectCommand", "CreateTableCommand", "CreateTableLikeCommand", "InsertIntoDataSourceDirCommand",
      "InsertIntoHiveDirCommand", "InsertIntoHadoopFsRelationCommand", "InsertIntoHiveTable", "InsertIntoDataSourceCommand",
      "LoadDataCommand", "AlterTableSetLocationCommand", "SetTableLocation", "Call", "CallStatement");
  /**
   * What runs a user's own code on the driver's machine, where the warehouse's files are within reach: shell scripts
   * (SELECT TRANSFORM … USING 'cmd'), Python UDFs and pandas/arrow functions, Java static methods (reflect,
   * java_method). Admins only. (Uploading jars or classes over Connect is refused by the interceptor.)
   */
  private static final Set<String> CODE_NODES = Set.of("ScriptTransformation", "HiveScriptTransformation", "MapInPandas", "PythonMapInArrow",
      "MapInArrow", "FlatMapGroupsInPandas", "FlatMapCoGroupsInPandas", "FlatMapGroupsInPandasWithState", "FlatMapGroupsInArrow",
      "FlatMapCoGroupsInArrow", "BatchEvalPython", "ArrowEvalPython", "BatchEvalPythonUDTF", "ArrowEvalPythonUDTF");
  private static final Set<String> CODE_EXPRESSIONS = Set.of("PythonUDF", "PythonUDAF", "PythonUDTF", "CallMethodViaReflection");
  private static final Set<String> FILE_RELATIONS = Set.of("StreamingRelation", "StreamingRelationV2", "StreamingDataSourceV2Relation", "LogicalRDD");

  private final SparkSession session;

  public PolicyCheckRule(SparkSession session) {
    this.session = session;
  }

  private record Need(DataSourceV2Relation target, List<String> accesses, boolean unrestricted, String what) {}

  @Override
  public BoxedUnit apply(LogicalPlan plan) {
    List<LogicalPlan> nodes = new ArrayList<>(Plans.allNodes(plan));
    // INSERT OVERWRITE DIRECTORY ... USING keeps its query out of the tree (an inner child): its reads are checked too.
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i) instanceof InsertIntoDataSourceDirCommand d) nodes.addAll(Plans.allNodes(d.query()));
    }
    for (LogicalPlan n : nodes) {
      if (n instanceof SetCommand set && set.kv().isDefined()) {
        Tuple2<String, Option<String>> kv = set.kv().get();
        if (kv._2().isDefined() && Settings.pinned(kv._1())) throw Denials.denied(kv._1().trim() + " is set by the lakehouse and cannot be changed in a session");
      }
    }
    SessionIdentity who = SessionIdentities.of(session);
    if (who == null) {
      boolean touches = nodes.stream().anyMatch(n -> n instanceof DataSourceV2Relation || n instanceof LogicalRelation || n instanceof HiveTableRelation
          || (n instanceof Command && !(n instanceof SetCommand)));
      if (touches) throw Denials.denied("this Spark session has no authenticated Lakeplane user");
      return BoxedUnit.UNIT;
    }
    if (who.identity().isAdmin()) return BoxedUnit.UNIT;
    String user = who.identity().name();

    List<Need> needs = new ArrayList<>();
    List<FileAccess.PathUse> paths = new ArrayList<>();
    Set<LogicalPlan> pathNodes = Collections.newSetFromMap(new IdentityHashMap<>());
    URI defaultFs = null;
    boolean rowLevel = false;
    for (LogicalPlan n : nodes) {
      String kind = n.getClass().getSimpleName();
      if (CODE_NODES.contains(kind)) throw Denials.denied(user + " may not run their own code (" + n.nodeName() + "): it needs admin rights");
      for (Expression e : JavaConverters.seqAsJavaList(n.expressions())) {
        if (e.exists(x -> CODE_EXPRESSIONS.contains(x.getClass().getSimpleName()))) {
          throw Denials.denied(user + " may not run their own code (user-defined Python functions, reflect, java_method): it needs admin rights");
        }
      }
      // A direct read or write of files by path is decided by the url policies (Ranger's storage-path resource);
      // what cannot be mapped to its paths falls through to the refusals below, as before.
      if (FileAccess.mayUsePaths(n)) {
        if (defaultFs == null) defaultFs = FileAccess.defaultFs(session);
        List<FileAccess.PathUse> uses = FileAccess.uses(n, defaultFs);
        if (uses != null) {
          paths.addAll(uses);
          pathNodes.add(n);
          continue;
        }
      }
      if (ADMIN_COMMANDS.contains(kind) || n.getClass().getName().equals("org.apache.spark.sql.execution.datasources.CreateTable")) {
        throw Denials.denied(user + " may not run " + n.nodeName() + ": it needs admin rights");
      }
      if (n instanceof LogicalRelation || n instanceof HiveTableRelation || FILE_RELATIONS.contains(kind)) {
        throw Denials.denied(user + " may not read files or tables outside Lakeplane's catalogs directly (" + n.nodeName() + "): it needs admin rights");
      }
      if (n instanceof ResolvedIdentifier id && !lakeplane(id.catalog())) {
        throw Denials.denied(user + " may not create or replace tables in catalog " + id.catalog().name() + ": only Lakeplane's catalogs are open to users");
      }
      if (n instanceof ResolvedTable t && !lakeplane(t.catalog())) {
        throw Denials.denied(user + " may not change tables in catalog " + t.catalog().name() + ": only Lakeplane's catalogs are open to users");
      }
      TableSpecBase spec = n instanceof CreateTable c ? c.tableSpec() : n instanceof CreateTableAsSelect c ? c.tableSpec()
          : n instanceof ReplaceTable c ? c.tableSpec() : n instanceof ReplaceTableAsSelect c ? c.tableSpec() : null;
      if (spec != null && spec.location().isDefined()) throw Denials.denied(user + " may not give a table a LOCATION: it needs admin rights");

      if (n instanceof ReplaceData || n instanceof WriteDelta) {
        rowLevel = true;
        LogicalPlan original = plan(n instanceof ReplaceData r ? r.originalTable() : ((WriteDelta) n).originalTable());
        RowLevelOperation.Command command = n instanceof ReplaceData r ? r.operation().command() : ((WriteDelta) n).operation().command();
        List<String> accesses = switch (command) {
          case DELETE -> List.of("delete");
          case UPDATE -> List.of("update");
          case MERGE -> List.of("insert", "update", "delete");
        };
        needs.add(new Need(target(original, user), accesses, true, command.name()));
      } else if (n instanceof OverwriteByExpression || n instanceof OverwritePartitionsDynamic) {
        needs.add(new Need(target(plan(((V2WriteCommand) n).table()), user), List.of("insert", "delete"), true, "INSERT OVERWRITE"));
      } else if (n instanceof AppendData a) {
        needs.add(new Need(target(plan(a.table()), user), List.of("insert"), false, "INSERT"));
      } else if (n instanceof DeleteFromTable d) {
        needs.add(new Need(target(d.table(), user), List.of("delete"), true, "DELETE"));
      } else if (n instanceof UpdateTable u) {
        needs.add(new Need(target(u.table(), user), List.of("update"), true, "UPDATE"));
      } else if (n instanceof MergeIntoTable m) {
        needs.add(new Need(target(m.targetTable(), user), List.of("insert", "update", "delete"), true, "MERGE"));
      }
    }

    // Reads: only Iceberg's own tables of our catalogs, each through the rewrite rule. A write target's own table may
    // be read unrewritten (Spark reads it to rewrite it) only in a write that needs unrestricted read access to it.
    for (LogicalPlan n : nodes) {
      if (!(n instanceof DataSourceV2Relation r) || pathNodes.contains(n)) continue;
      String tableClass = r.table().getClass().getName();
      if (Plans.lakeplaneCatalog(r) == null) {
        throw Denials.denied(user + " may not read " + r.name() + ": only tables of Lakeplane's catalogs are open to users");
      }
      if (tableClass.equals(Plans.ROW_LEVEL_TABLE) && rowLevel) continue;
      if (!tableClass.equals(Plans.ICEBERG_TABLE) || Plans.isIcebergMetadataTable(r.table())) {
        throw Denials.denied(user + " may not read the metadata table " + r.name() + ": it shows raw values of the data files and needs admin rights");
      }
      if (r.getTagValue(PolicyRewriteRule.SECURED).isDefined()) continue;
      Need write = needs.stream().filter(w -> sameTable(w.target, r)).findFirst().orElse(null);
      if (write == null) throw Denials.denied("the read of " + r.name() + " was not checked against the policies");
      if (!write.unrestricted) needs.add(new Need(write.target, List.of(), true, write.what));
    }
    if (needs.isEmpty() && paths.isEmpty()) return BoxedUnit.UNIT;

    Map<String, DecisionRequest> requests = new LinkedHashMap<>();
    for (FileAccess.PathUse p : paths) requests.putIfAbsent("\u0000url\u0000" + p.access() + "\u0000" + p.url(), DecisionRequest.forUrl(p.access(), p.url()));
    for (Need need : needs) {
      for (String access : need.accesses) requests.putIfAbsent(access + need.target.name(), Plans.request(access, need.target, false));
      if (need.unrestricted) requests.putIfAbsent("select" + need.target.name(), Plans.request("select", need.target, true));
    }
    List<DecisionRequest> asked = new ArrayList<>(requests.values());
    List<Decision> answers = DecisionClient.decide(who, asked);
    for (int i = 0; i < asked.size(); i++) {
      DecisionRequest q = asked.get(i);
      Decision d = answers.get(i);
      if (!d.allowed()) throw refusal(user, q, d);
      if (q.access().equals("select") && !d.unrestricted()) {
        String what = needs.stream().filter(w -> w.unrestricted && Plans.request("select", w.target, true).key().equals(q.key())).map(w -> w.what).findFirst().orElse("this write");
        throw Denials.denied(user + " may not run " + what + " on " + q.describe() + ": a row filter or column mask applies to them there, and "
            + what + " would read or replace rows and values they cannot see");
      }
    }
    return BoxedUnit.UNIT;
  }

  /**
   * The early half of the path check, on a parsed statement (SessionAwareParser): a non-admin's file query
   * (parquet.`path`) whose path they may not read is refused before analysis lists or opens anything there; one they
   * may read is resolved here (FileAccess.resolve says why), and its resolved root paths are decided again by apply().
   */
  static LogicalPlan checkFileQueries(SparkSession session, LogicalPlan parsed) {
    SessionIdentity who = SessionIdentities.of(session);
    if (who == null || who.identity().isAdmin()) return parsed; // no user: apply() refuses; admins' lookups are answered
    List<FileAccess.FileQuery> queries = FileAccess.fileQueries(session, parsed, FileAccess.defaultFs(session));
    if (queries.isEmpty()) return parsed;
    List<DecisionRequest> asked = queries.stream().map(q -> DecisionRequest.forUrl("read", q.url())).toList();
    List<Decision> answers = DecisionClient.decide(who, asked);
    for (int i = 0; i < asked.size(); i++) {
      if (!answers.get(i).allowed()) throw refusal(who.identity().name(), asked.get(i), answers.get(i));
    }
    Map<UnresolvedRelation, LogicalPlan> resolved = new HashMap<>();
    for (FileAccess.FileQuery q : queries) resolved.computeIfAbsent(q.relation(), r -> FileAccess.resolve(session, q));
    return parsed.transformUpWithSubqueries(Plans.<LogicalPlan, LogicalPlan>pf(resolved::containsKey, resolved::get));
  }

  /** "alice may not select wh.sales.t: ..." / "alice may not read files at s3://b/dir: ...", naming the deciding policy. */
  static RuntimeException refusal(String user, DecisionRequest q, Decision d) {
    throw Denials.denied(user + " may not " + q.access() + " " + q.describe() + ": "
        + (d.policyName() != null ? "denied by policy \"" + d.policyName() + "\"" : "no policy allows it"));
  }

  /** A NamedRelation is a LogicalPlan (a Scala trait extending the class, which Java cannot see). */
  private static LogicalPlan plan(Object relation) {
    return (LogicalPlan) relation;
  }

  private static boolean lakeplane(CatalogPlugin catalog) {
    return Settings.get().catalogs().contains(catalog.name());
  }

  private static DataSourceV2Relation target(LogicalPlan table, String user) {
    DataSourceV2Relation r = Plans.relationOf(table);
    if (r == null || Plans.lakeplaneCatalog(r) == null) throw Denials.denied(user + " may only write to tables of Lakeplane's catalogs");
    return r;
  }

  private static boolean sameTable(DataSourceV2Relation a, DataSourceV2Relation b) {
    return a.catalog().equals(b.catalog()) && a.identifier().equals(b.identifier());
  }
}
