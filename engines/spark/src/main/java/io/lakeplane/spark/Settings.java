package io.lakeplane.spark;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;

/**
 * The driver's spark.lakeplane.* settings, read from the launch configuration (SparkConf), never from a session's
 * conf: a client can change its session's conf, not these.
 */
public record Settings(String url, Set<String> catalogs, long identityTtlMs, long policyTtlMs) {
  public static final String URL = "spark.lakeplane.url";
  public static final String CATALOGS = "spark.lakeplane.catalogs";
  public static final String IDENTITY_TTL = "spark.lakeplane.identity.cacheTtlMs";
  public static final String POLICY_TTL = "spark.lakeplane.policy.cacheTtlMs";

  /** Keys a client must not set in its session: the catalogs' wiring and the file-query switch. */
  private static final List<String> PINNED_PREFIXES = List.of("spark.sql.catalog.", "spark.lakeplane.");
  private static final Set<String> PINNED_KEYS = Set.of("spark.sql.runSQLOnFiles", "spark.sql.defaultCatalog", "spark.sql.extensions", "spark.plugins");

  public static boolean pinned(String key) {
    String k = key.trim();
    return PINNED_KEYS.contains(k) || PINNED_PREFIXES.stream().anyMatch(k::startsWith);
  }

  private static volatile Settings current;

  /** The driver's settings (SparkEnv is set once the SparkContext has started, before any client can connect). */
  public static Settings get() {
    Settings s = current;
    if (s == null) {
      SparkEnv env = SparkEnv.get();
      if (env == null) throw new IllegalStateException("Lakeplane's Spark engine runs inside a Spark driver (no SparkEnv yet)");
      s = from(env.conf());
      current = s;
    }
    return s;
  }

  static Settings from(SparkConf conf) {
    String url = conf.get(URL, "").replaceAll("/+$", "");
    if (url.isEmpty()) throw new IllegalStateException(URL + " is not set: the Lakeplane server to check credentials and policies against");
    Set<String> catalogs = Arrays.stream(conf.get(CATALOGS, "").split(",")).map(String::trim).filter(c -> !c.isEmpty()).collect(Collectors.toUnmodifiableSet());
    return new Settings(url, catalogs, conf.getLong(IDENTITY_TTL, 30_000L), conf.getLong(POLICY_TTL, 10_000L));
  }
}
