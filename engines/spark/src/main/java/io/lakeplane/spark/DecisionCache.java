package io.lakeplane.spark;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A session's decisions. An entry is used for the policy TTL (spark.lakeplane.policy.cacheTtlMs, 10 s by default);
 * and as soon as any answer carries a newer policySetVersion than an entry was decided under, that entry is dropped, so
 * one fresh answer after a policy change refreshes everything the session asks next.
 */
public final class DecisionCache {
  private record Entry(Decision decision, long fetchedAt) {}

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private volatile long newestVersion = Long.MIN_VALUE;

  Decision get(DecisionRequest request, long ttlMs) {
    Entry e = entries.get(request.key());
    if (e == null) return null;
    if (System.currentTimeMillis() - e.fetchedAt > ttlMs || e.decision.policySetVersion() < newestVersion) {
      entries.remove(request.key(), e);
      return null;
    }
    return e.decision;
  }

  void put(DecisionRequest request, Decision decision) {
    if (decision.policySetVersion() > newestVersion) {
      newestVersion = decision.policySetVersion();
      entries.values().removeIf(e -> e.decision.policySetVersion() < decision.policySetVersion());
    }
    if (entries.size() > 5_000) entries.clear();
    entries.put(request.key(), new Entry(decision, System.currentTimeMillis()));
  }
}
