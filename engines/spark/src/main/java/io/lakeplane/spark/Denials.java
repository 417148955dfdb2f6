package io.lakeplane.spark;

import org.apache.spark.QueryContext;
import org.apache.spark.sql.AnalysisException;
import scala.Option;

/**
 * The access errors a user sees: AnalysisExceptions, so both servers report them as query errors with this text.
 * AnalysisException is a checked exception to Java but not to Scala, whose analyzer calls our rules: it is thrown
 * as Scala would (`throw Denials.denied(...)` reads as a throw; denied() never returns).
 */
public final class Denials {
  private Denials() {}

  public static RuntimeException denied(String why) {
    @SuppressWarnings("unchecked")
    scala.collection.immutable.Map<String, String> none = (scala.collection.immutable.Map<String, String>) (Object) scala.collection.immutable.Map$.MODULE$.empty();
    AnalysisException e = new AnalysisException("[LAKEPLANE_ACCESS_DENIED] Access denied: " + why, Option.empty(), Option.empty(), Option.empty(), Option.empty(), none, new QueryContext[0]);
    throw Denials.<RuntimeException>sneaky(e);
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E sneaky(Throwable e) throws E {
    throw (E) e;
  }
}
