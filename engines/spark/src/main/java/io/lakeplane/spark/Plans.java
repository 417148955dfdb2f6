package io.lakeplane.spark;

import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.spark.sql.catalyst.analysis.EliminateSubqueryAliases$;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.connector.catalog.CatalogPlugin;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import scala.Function1;
import scala.PartialFunction;
import scala.collection.JavaConverters;
import scala.runtime.AbstractPartialFunction;

/** Small bridges from Java to Catalyst's Scala API, and questions about relations both rules ask. */
final class Plans {
  private Plans() {}

  /** A Scala partial function from a Java predicate and function. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  static <A, B> PartialFunction<A, B> pf(Predicate<A> when, Function<A, B> then) {
    return new AbstractPartialFunction<A, B>() {
      @Override
      public boolean isDefinedAt(A x) {
        return when.test(x);
      }

      @Override
      public Object applyOrElse(Object x, Function1 otherwise) {
        return when.test((A) x) ? then.apply((A) x) : otherwise.apply(x);
      }
    };
  }

  /** Every node of a plan, the plans of its subquery expressions included. */
  static List<LogicalPlan> allNodes(LogicalPlan plan) {
    return JavaConverters.seqAsJavaList(plan.collectWithSubqueries(Plans.<LogicalPlan, LogicalPlan>pf(p -> true, p -> p)));
  }

  static LogicalPlan stripAliases(LogicalPlan plan) {
    return EliminateSubqueryAliases$.MODULE$.apply(plan);
  }

  /** The relation behind a write target or DML target, if it is a DSv2 relation. */
  static DataSourceV2Relation relationOf(LogicalPlan target) {
    LogicalPlan p = stripAliases(target);
    return p instanceof DataSourceV2Relation r ? r : null;
  }

  /** The Lakeplane catalog (warehouse) a relation reads, or null when it is not one of ours. */
  static String lakeplaneCatalog(DataSourceV2Relation r) {
    if (r.catalog().isEmpty() || r.identifier().isEmpty()) return null;
    CatalogPlugin catalog = r.catalog().get();
    return Settings.get().catalogs().contains(catalog.name()) ? catalog.name() : null;
  }

  /** The decide API's view of a relation: warehouse, namespace, table, columns. */
  static DecisionRequest request(String access, DataSourceV2Relation r, boolean withColumns) {
    Identifier id = r.identifier().get();
    List<String> columns = withColumns ? JavaConverters.seqAsJavaList(r.output()).stream().map(a -> a.name()).toList() : List.of();
    return new DecisionRequest(access, lakeplaneCatalog(r), List.of(id.namespace()), id.name(), columns);
  }

  /** Is this Iceberg table one of its metadata tables (files, snapshots, manifests, ...)? Iceberg is not compiled against. */
  static boolean isIcebergMetadataTable(org.apache.spark.sql.connector.catalog.Table table) {
    try {
      Object iceberg = table.getClass().getMethod("table").invoke(table);
      for (Class<?> c = iceberg.getClass(); c != null; c = c.getSuperclass()) {
        if (c.getName().equals("org.apache.iceberg.BaseMetadataTable")) return true;
      }
      return false;
    } catch (ReflectiveOperationException e) {
      return true; // not Iceberg's SparkTable: treated as not a plain table
    }
  }

  static final String ICEBERG_TABLE = "org.apache.iceberg.spark.source.SparkTable";
  static final String ROW_LEVEL_TABLE = "org.apache.spark.sql.connector.write.RowLevelOperationTable";
}
