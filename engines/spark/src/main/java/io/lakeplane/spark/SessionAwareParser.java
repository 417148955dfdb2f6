package io.lakeplane.spark;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import scala.collection.Seq;

/**
 * Spark's parser, unchanged, with one thing before each parse: SessionSetup.ensureConfigured, so the session's
 * catalogs carry its user's token before any statement can load them; and one after a statement's parse: its file
 * queries (parquet.`path`) are checked against the url policies before analysis would list the path, and resolved
 * when allowed (PolicyCheckRule.checkFileQueries). Every SQL statement and every table name of a
 * DataFrame passes through here. Built by Spark when a session's state is built, which on HiveServer2 happens on the
 * connection's thread while the Thrift session opens: that is where the session gets bound to its user.
 */
public final class SessionAwareParser implements ParserInterface {
  private final SparkSession session;
  private final ParserInterface delegate;

  public SessionAwareParser(SparkSession session, ParserInterface delegate) {
    this.session = session;
    this.delegate = delegate;
    SessionIdentities.bindFromHandoff(session);
  }

  private void ready() {
    SessionSetup.ensureConfigured(session);
  }

  @Override
  public LogicalPlan parsePlan(String sqlText) throws ParseException {
    ready();
    return PolicyCheckRule.checkFileQueries(session, delegate.parsePlan(sqlText));
  }

  @Override
  public Expression parseExpression(String sqlText) throws ParseException {
    return delegate.parseExpression(sqlText);
  }

  @Override
  public TableIdentifier parseTableIdentifier(String sqlText) throws ParseException {
    ready();
    return delegate.parseTableIdentifier(sqlText);
  }

  @Override
  public FunctionIdentifier parseFunctionIdentifier(String sqlText) throws ParseException {
    return delegate.parseFunctionIdentifier(sqlText);
  }

  @Override
  public Seq<String> parseMultipartIdentifier(String sqlText) throws ParseException {
    ready();
    return delegate.parseMultipartIdentifier(sqlText);
  }

  @Override
  public LogicalPlan parseQuery(String sqlText) throws ParseException {
    ready();
    return delegate.parseQuery(sqlText);
  }

  @Override
  public StructType parseTableSchema(String sqlText) throws ParseException {
    return delegate.parseTableSchema(sqlText);
  }

  @Override
  public DataType parseDataType(String sqlText) throws ParseException {
    return delegate.parseDataType(sqlText);
  }
}
