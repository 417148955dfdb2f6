package io.lakeplane.spark;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.RuntimeConfig;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;
import scala.collection.JavaConverters;

/**
 * Puts a session's conf in the shape the server wants before anything of the session runs: each Lakeplane catalog
 * gets the session user's token (so the catalog, loaded lazily on first use, calls our Iceberg REST catalog as that
 * user and its own checks apply), and the pinned keys a client may have set at connect time (HiveServer2's
 * set:hiveconf: options reach the session conf without any SQL) are put back to the launch values. It must run before
 * a catalog is first loaded: the parser calls it before every parse, the Connect interceptor before every request.
 */
public final class SessionSetup {
  private SessionSetup() {}

  public static void ensureConfigured(SparkSession session) {
    SessionIdentity bound = SessionIdentities.of(session);
    RuntimeConfig conf = session.conf();
    SparkConf launch = session.sparkContext().getConf();
    Map<String, String> current = new HashMap<>(JavaConverters.mapAsJavaMap(conf.getAll()));
    Map<String, String> launched = new HashMap<>();
    for (Tuple2<String, String> kv : launch.getAll()) launched.put(kv._1(), kv._2());
    Settings settings = Settings.get();
    for (Map.Entry<String, String> e : current.entrySet()) {
      String key = e.getKey();
      if (!Settings.pinned(key) || isCatalogToken(key, settings)) continue;
      String want = launched.get(key);
      if (want == null) {
        if (conf.isModifiable(key) || key.startsWith("spark.sql.catalog.")) conf.unset(key);
      } else if (!want.equals(e.getValue())) {
        conf.set(key, want);
      }
    }
    for (String catalog : settings.catalogs()) {
      String key = "spark.sql.catalog." + catalog + ".token";
      if (bound == null) {
        if (current.containsKey(key)) conf.unset(key);
      } else if (!bound.token().equals(current.get(key))) {
        conf.set(key, bound.token());
      }
    }
  }

  private static boolean isCatalogToken(String key, Settings settings) {
    return settings.catalogs().stream().anyMatch(c -> key.equals("spark.sql.catalog." + c + ".token"));
  }
}
