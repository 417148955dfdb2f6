package io.lakeplane.spark;

import org.apache.spark.sql.SparkSessionExtensions;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * The Spark SQL extension a lakehouse loads (spark.sql.extensions=...,io.lakeplane.spark.LakeplaneSparkExtension):
 * the parser that binds and configures sessions, the read rewrite and the checks. Spark calls the builders for each
 * session, so each rule knows its session and through it its user.
 */
public final class LakeplaneSparkExtension extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {
  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    extensions.injectParser((session, delegate) -> new SessionAwareParser(session, delegate));
    extensions.injectResolutionRule(PolicyRewriteRule::new);
    extensions.injectCheckRule(PolicyCheckRule::new);
    return BoxedUnit.UNIT;
  }
}
