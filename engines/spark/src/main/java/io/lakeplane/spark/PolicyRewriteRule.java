package io.lakeplane.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.UnresolvedAttribute;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.plans.logical.DeleteFromTable;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.MergeIntoTable;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.plans.logical.UpdateTable;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.catalyst.trees.TreeNodeTag;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import scala.Option;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * The read side of enforcement, an analyzer resolution rule: every table of a Lakeplane catalog that a query reads
 * is decided for the session's user in one batch, and its relation is replaced by
 * Project(masked columns, Filter(row filter, fresh copy of the relation)). A denied table fails the query.
 *
 * The copy of the relation gets new expression ids and the Project's outputs take the old ids, so everything above
 * keeps its references and every reference now goes through the mask: an Alias that kept its child's id would be
 * taken for the column itself and removed by the optimizer (that leaked the raw values in a prototype).
 * DML targets (DELETE, UPDATE, MERGE) are left as they are for Spark's rewrite of those commands; the check rule
 * allows them only to users whose read of the table is unrestricted.
 */
public final class PolicyRewriteRule extends Rule<LogicalPlan> {
  /** Set on the relation copies this rule made: they are already enforced. */
  static final TreeNodeTag<Boolean> SECURED = new TreeNodeTag<>("lakeplane.secured");

  private final SparkSession session;

  public PolicyRewriteRule(SparkSession session) {
    this.session = session;
  }

  @Override
  public LogicalPlan apply(LogicalPlan plan) {
    List<LogicalPlan> nodes = Plans.allNodes(plan);
    Set<LogicalPlan> dmlTargets = Collections.newSetFromMap(new IdentityHashMap<>());
    for (LogicalPlan n : nodes) {
      if (n instanceof DeleteFromTable d) dmlTargets.add(Plans.stripAliases(d.table()));
      else if (n instanceof UpdateTable u) dmlTargets.add(Plans.stripAliases(u.table()));
      else if (n instanceof MergeIntoTable m) dmlTargets.add(Plans.stripAliases(m.targetTable()));
    }
    List<DataSourceV2Relation> reads = new ArrayList<>();
    Set<LogicalPlan> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (LogicalPlan n : nodes) {
      if (n instanceof DataSourceV2Relation r && Plans.lakeplaneCatalog(r) != null && r.getTagValue(SECURED).isEmpty() && !dmlTargets.contains(r) && seen.add(r)) {
        reads.add(r);
      }
    }
    if (reads.isEmpty()) return plan;
    SessionIdentity who = SessionIdentities.of(session);
    if (who == null) throw Denials.denied("this Spark session has no authenticated Lakeplane user");
    List<DecisionRequest> requests = reads.stream().map(r -> Plans.request("select", r, true)).toList();
    List<Decision> decisions = DecisionClient.decide(who, requests);
    Map<LogicalPlan, LogicalPlan> replacements = new IdentityHashMap<>();
    for (int i = 0; i < reads.size(); i++) {
      Decision d = decisions.get(i);
      DecisionRequest req = requests.get(i);
      if (!d.allowed()) {
        throw Denials.denied(who.identity().name() + " may not select " + req.describe() + ": "
            + (d.policyName() != null ? "denied by policy \"" + d.policyName() + "\"" : "no policy allows it"));
      }
      replacements.put(reads.get(i), secure(reads.get(i), d, req));
    }
    return plan.transformUpWithSubqueries(Plans.<LogicalPlan, LogicalPlan>pf(replacements::containsKey, replacements::get));
  }

  private LogicalPlan secure(DataSourceV2Relation r, Decision d, DecisionRequest req) {
    if (d.unrestricted()) {
      r.setTagValue(SECURED, true);
      return r;
    }
    DataSourceV2Relation copy = (DataSourceV2Relation) r.newInstance();
    copy.setTagValue(SECURED, true);
    List<AttributeReference> before = JavaConverters.seqAsJavaList(r.output());
    List<AttributeReference> after = JavaConverters.seqAsJavaList(copy.output());
    LogicalPlan child = copy;
    if (d.rowFilter() != null) child = new Filter(bind(parse(d.rowFilter(), req), after), child);
    List<NamedExpression> projected = new ArrayList<>();
    for (int i = 0; i < before.size(); i++) {
      AttributeReference old = before.get(i);
      AttributeReference fresh = after.get(i);
      Decision.Mask mask = d.masks().stream().filter(m -> m.column().equalsIgnoreCase(old.name())).findFirst().orElse(null);
      Expression value = fresh;
      if (mask != null) {
        String sql = MaskExpressions.sql(mask.type(), mask.expression(), fresh.name(), fresh.dataType());
        if (sql == null) throw Denials.denied("mask type " + mask.type() + " on " + req.describe() + "." + old.name() + " is not known to this lakehouse");
        value = bind(parse(sql, req), after);
      }
      projected.add(new Alias(value, old.name(), old.exprId(), old.qualifier(), Option.apply(old.metadata()), emptySeq()));
    }
    return new Project(JavaConverters.asScalaBuffer(projected).toSeq(), child);
  }

  private Expression parse(String sql, DecisionRequest req) {
    try {
      return session.sessionState().sqlParser().parseExpression(sql);
    } catch (Exception e) { // ParseException, checked to Java
      throw Denials.denied("the policy expression for " + req.describe() + " does not parse (" + e.getMessage() + "): " + sql);
    }
  }

  /** Points the expression's column names at the relation copy's attributes (functions are left to the analyzer). */
  private static Expression bind(Expression e, List<AttributeReference> columns) {
    return e.transform(Plans.<Expression, Expression>pf(x -> x instanceof UnresolvedAttribute u && u.nameParts().size() == 1 && find(columns, u.name()) != null,
        x -> find(columns, ((UnresolvedAttribute) x).name())));
  }

  private static AttributeReference find(List<AttributeReference> columns, String name) {
    return columns.stream().filter(a -> a.name().equalsIgnoreCase(name)).findFirst().orElse(null);
  }

  private static Seq<String> emptySeq() {
    return JavaConverters.asScalaBuffer(new ArrayList<String>()).toSeq();
  }
}
