package io.lakeplane.spark;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells Lakeplane what its lakehouse is doing, so auto-stop waits while anyone uses it: the open HiveServer2 and Spark
 * Connect sessions, the running SQL executions, and when any of them last started or ended. Registered with
 * spark.extraListeners by the lakehouse runtime; it reports every spark.lakeplane.activity.intervalMs (default 30 s)
 * and at once when the first session opens or the last one closes, to
 * POST {spark.lakeplane.url}/api/v1/lakehouses/{spark.lakeplane.lakehouse.id}/agent-report with the token of this
 * start (the LAKEPLANE_LAKEHOUSE_TOKEN environment variable, which no session can read). Without those it does nothing.
 *
 * The session events are the Thrift server's and the Connect server's own listener events; neither jar is on the
 * compile path (the Thrift server's is not published), so they are told apart by their class names. A session not
 * used for spark.lakeplane.activity.sessionTimeoutMs (default an hour) counts as closed: Spark Connect 3.5 has no way
 * for a client to end its session and keeps an abandoned one for an hour, and a HiveServer2 client that vanishes
 * without closing its session leaves it until the server's idle timeout (which the runtime sets to the same).
 */
public final class ActivityReporter extends SparkListener {
  private static final Logger LOG = LoggerFactory.getLogger(ActivityReporter.class);
  private static final Set<String> SESSION_OPENED = Set.of("SparkListenerThriftServerSessionCreated", "SparkListenerConnectSessionStarted");
  private static final Set<String> SESSION_CLOSED = Set.of("SparkListenerThriftServerSessionClosed", "SparkListenerConnectSessionClosed");

  /** Open sessions and when each was last used. */
  private final ConcurrentHashMap<String, Long> sessions = new ConcurrentHashMap<>();
  private volatile long sessionTimeoutMs = 3_600_000L;
  private final Set<Long> executions = ConcurrentHashMap.newKeySet();
  private final AtomicLong lastActivity = new AtomicLong(System.currentTimeMillis());
  private final ScheduledExecutorService timer;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI target;
  private final String token;

  public ActivityReporter(SparkConf conf) {
    String url = conf.get("spark.lakeplane.url", "").replaceAll("/+$", "");
    String id = conf.get("spark.lakeplane.lakehouse.id", "");
    String secret = System.getenv("LAKEPLANE_LAKEHOUSE_TOKEN");
    if (url.isEmpty() || id.isEmpty() || secret == null || secret.isEmpty()) {
      target = null;
      token = null;
      timer = null;
      LOG.info("Lakeplane activity reports are off (no spark.lakeplane.url, spark.lakeplane.lakehouse.id or LAKEPLANE_LAKEHOUSE_TOKEN)");
      return;
    }
    target = URI.create(url + "/api/v1/lakehouses/" + id + "/agent-report");
    token = secret;
    long every = conf.getLong("spark.lakeplane.activity.intervalMs", 30_000L);
    sessionTimeoutMs = conf.getLong("spark.lakeplane.activity.sessionTimeoutMs", 3_600_000L);
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "lakeplane-activity");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::report, every, every, TimeUnit.MILLISECONDS);
  }

  /** A session's key: which server, and the sessionId its session and operation events carry; null without one. */
  private static String sessionKey(SparkListenerEvent event) {
    String server = event.getClass().getSimpleName().startsWith("SparkListenerThriftServer") ? "hs2" : "connect";
    try {
      Object value = event.getClass().getMethod("sessionId").invoke(event);
      return value == null ? null : server + ":" + value;
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  @Override
  public void onOtherEvent(SparkListenerEvent event) {
    String type = event.getClass().getSimpleName();
    String key = sessionKey(event);
    long now = System.currentTimeMillis();
    if (SESSION_OPENED.contains(type) && key != null) {
      boolean first = sessions.isEmpty();
      sessions.put(key, now);
      touch(first);
    } else if (SESSION_CLOSED.contains(type) && key != null) {
      sessions.remove(key);
      touch(sessions.isEmpty());
    } else if ((type.startsWith("SparkListenerThriftServerOperation") || type.startsWith("SparkListenerConnectOperation")) && key != null) {
      sessions.computeIfPresent(key, (k, v) -> now);
      touch(false);
    } else if (type.equals("SparkListenerSQLExecutionStart")) {
      executions.add(executionId(event));
      touch(false);
    } else if (type.equals("SparkListenerSQLExecutionEnd")) {
      executions.remove(executionId(event));
      touch(false);
    }
  }

  private static long executionId(SparkListenerEvent event) {
    try {
      return (Long) event.getClass().getMethod("executionId").invoke(event);
    } catch (ReflectiveOperationException | ClassCastException e) {
      return -1L;
    }
  }

  private void touch(boolean reportNow) {
    lastActivity.set(System.currentTimeMillis());
    if (reportNow && timer != null) timer.execute(this::report);
  }

  private void report() {
    long cutoff = System.currentTimeMillis() - sessionTimeoutMs;
    sessions.values().removeIf(lastUsed -> lastUsed < cutoff);
    String body = String.format("{\"openSessions\":%d,\"runningStatements\":%d,\"lastActivityAt\":\"%s\"}", sessions.size(), executions.size(), Instant.ofEpochMilli(lastActivity.get()));
    HttpRequest request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10)).header("authorization", "Bearer " + token)
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    try {
      HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
      if (response.statusCode() >= 300) LOG.warn("Lakeplane refused an activity report: HTTP {}", response.statusCode());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("an activity report to Lakeplane failed: {}", e.toString());
    }
  }

  @Override
  public void onApplicationEnd(SparkListenerApplicationEnd end) {
    if (timer != null) timer.shutdownNow();
  }
}
