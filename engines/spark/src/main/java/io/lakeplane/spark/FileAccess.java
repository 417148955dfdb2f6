package io.lakeplane.spark;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.catalog.CatalogStorageFormat;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.command.InsertIntoDataSourceDirCommand;
import org.apache.spark.sql.execution.datasources.DataSource;
import org.apache.spark.sql.execution.datasources.FileFormat;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.InsertIntoHadoopFsRelationCommand;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import org.apache.spark.sql.execution.datasources.v2.FileDataSourceV2;
import org.apache.spark.sql.execution.datasources.v2.FileTable;
import scala.collection.JavaConverters;

/**
 * Direct file access under Ranger's `url` semantics, as Ranger's Hive and Spark plugins ask it: a plan that reads
 * files by path (parquet.`path`, spark.read.parquet(path), a file-based DSv2 table) needs `read` on each root path
 * it names, one that writes files to a path (INSERT OVERWRITE DIRECTORY, df.write.parquet(path)) `write` on the
 * output path. Paths go to the decide API as scheme://authority/path; the API normalizes them (case of the scheme,
 * percent-decoding, . and ..) before matching, so no spelling reaches around a policy.
 */
final class FileAccess {
  private FileAccess() {}

  /** One path a plan reads or writes: access is read or write, url the path as the decide API takes it. */
  record PathUse(String access, String url) {}

  /** The spelling of a URI the decide API takes, or null when it cannot be placed (a relative path). */
  static String url(URI uri, URI defaultFs) {
    String scheme = uri.getScheme();
    String authority = uri.getRawAuthority();
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (scheme == null) {
      // Spark qualifies a path without a scheme against the default file system; a relative one also against a
      // working directory we cannot know for certain, so it is refused rather than guessed.
      if (!path.startsWith("/") || defaultFs == null || defaultFs.getScheme() == null) return null;
      scheme = defaultFs.getScheme();
      authority = defaultFs.getRawAuthority();
    }
    return scheme + "://" + (authority == null ? "" : authority) + path;
  }

  static String url(Path path, URI defaultFs) {
    return url(path.toUri(), defaultFs);
  }

  static URI defaultFs(SparkSession session) {
    Configuration conf = session.sessionState().newHadoopConf();
    return FileSystem.getDefaultUri(conf);
  }

  /** Could this node be a direct file access (cheap: the file system's default URI is looked up only for these)? */
  static boolean mayUsePaths(LogicalPlan n) {
    return n instanceof LogicalRelation || n instanceof DataSourceV2Relation || n instanceof InsertIntoHadoopFsRelationCommand
        || n instanceof InsertIntoDataSourceDirCommand || n.getClass().getName().equals(HIVE_DIR_WRITE);
  }

  /**
   * The paths a node reads or writes directly, or null when the node is no direct file access. A node that is one but
   * cannot be mapped to its paths (a relative path, a table of the session catalog over files) is refused by the
   * caller as before: only what maps to paths is opened up.
   */
  static List<PathUse> uses(LogicalPlan n, URI defaultFs) {
    if (n instanceof LogicalRelation lr && lr.relation() instanceof HadoopFsRelation fs) {
      // A table of the session catalog over files is no path read: it stays outside what users may read.
      if (lr.catalogTable().isDefined()) return null;
      return reads(JavaConverters.seqAsJavaList(fs.location().rootPaths()), defaultFs);
    }
    if (n instanceof DataSourceV2Relation r && r.table() instanceof FileTable t && r.catalog().isEmpty()) {
      return reads(JavaConverters.seqAsJavaList(t.fileIndex().rootPaths()), defaultFs);
    }
    if (n instanceof InsertIntoHadoopFsRelationCommand c) {
      if (c.catalogTable().isDefined()) return null; // a write into a session-catalog table, not to a path
      String url = url(c.outputPath(), defaultFs);
      return url == null ? null : List.of(new PathUse("write", url));
    }
    if (n instanceof InsertIntoDataSourceDirCommand d) {
      return directoryWrite(d.storage(), false, defaultFs);
    }
    if (n.getClass().getName().equals(HIVE_DIR_WRITE)) {
      try {
        CatalogStorageFormat storage = (CatalogStorageFormat) n.getClass().getMethod("storage").invoke(n);
        boolean local = (Boolean) n.getClass().getMethod("isLocal").invoke(n);
        return directoryWrite(storage, local, defaultFs);
      } catch (ReflectiveOperationException | ClassCastException e) {
        return null;
      }
    }
    return null;
  }

  /** Spark's INSERT OVERWRITE [LOCAL] DIRECTORY without USING (Hive's format), in spark-hive, which we do not compile against. */
  static final String HIVE_DIR_WRITE = "org.apache.spark.sql.hive.execution.InsertIntoHiveDirCommand";

  private static List<PathUse> reads(List<Path> roots, URI defaultFs) {
    List<PathUse> out = new ArrayList<>();
    for (Path p : roots) {
      String url = url(p, defaultFs);
      if (url == null) return null;
      out.add(new PathUse("read", url));
    }
    return out;
  }

  private static List<PathUse> directoryWrite(CatalogStorageFormat storage, boolean local, URI defaultFs) {
    if (storage.locationUri().isEmpty()) return null;
    // LOCAL DIRECTORY is the driver's own file system whatever the default one is (the command qualifies it so).
    String url = url(storage.locationUri().get(), local ? URI.create("file:///") : defaultFs);
    return url == null ? null : List.of(new PathUse("write", url));
  }

  /** A file query of a parsed statement: format.`path` as written, and the url its path is asked as. */
  record FileQuery(UnresolvedRelation relation, String format, String path, String url) {}

  /**
   * The file queries of a parsed statement (format.`path`, run when spark.sql.runSQLOnFiles is on). They are asked
   * before analysis because analysis lists the path and opens files for the schema before any check rule runs, so a
   * user without read access learns nothing of the path, not even whether it exists. The check after analysis
   * (PolicyCheckRule, on the resolved root paths) still decides. Only the statement's tree and subquery plans are
   * searched (not CTE definitions, which the parser keeps aside): what is missed here is still decided after analysis.
   */
  static List<FileQuery> fileQueries(SparkSession session, LogicalPlan parsed, URI defaultFs) {
    if (!session.sessionState().conf().runSQLonFile()) return List.of();
    List<FileQuery> out = new ArrayList<>();
    for (LogicalPlan n : Plans.allNodes(parsed)) {
      if (!(n instanceof UnresolvedRelation u) || u.isStreaming()) continue;
      List<String> parts = JavaConverters.seqAsJavaList(u.multipartIdentifier());
      if (parts.size() != 2 || !looksLikePath(parts.get(1)) || !fileSource(session, parts.get(0))) continue;
      String url;
      try {
        url = url(new Path(parts.get(1)), defaultFs);
      } catch (IllegalArgumentException e) {
        continue; // not a path Hadoop can read either: resolution fails on its own
      }
      if (url != null) out.add(new FileQuery(u, parts.get(0), parts.get(1), url));
    }
    return out;
  }

  /**
   * A file query resolved as Spark's own file-query rule resolves it (a DataFrameReader load of the path with the
   * format and options), for a statement whose paths were allowed. Needed because the analyzer asks the current
   * catalog first, taking `parquet` for a namespace: a Lakeplane catalog answers a user who may not see that
   * namespace with a refusal, not with "no such table", and analysis would stop there.
   */
  static LogicalPlan resolve(SparkSession session, FileQuery q) {
    return session.read().format(q.format()).options(q.relation().options().asCaseSensitiveMap()).load(q.path()).logicalPlan();
  }

  private static boolean looksLikePath(String s) {
    return s.startsWith("/") || s.contains(":/");
  }

  /** Is this name a file source (parquet, orc, csv, json, text, avro, ...), as Spark's file-query resolution asks? */
  private static boolean fileSource(SparkSession session, String name) {
    try {
      Class<?> c = DataSource.lookupDataSource(name, session.sessionState().conf());
      return FileFormat.class.isAssignableFrom(c) || FileDataSourceV2.class.isAssignableFrom(c);
    } catch (Exception | LinkageError e) {
      return false; // not a data source: the name is a catalog's or namespace's, resolved as a table
    }
  }
}
