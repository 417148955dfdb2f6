package io.lakeplane.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecisionsTest {
  private static final DecisionRequest NATIONS = new DecisionRequest("select", "wh", List.of("sales"), "nations", List.of("name"));
  private static final DecisionRequest REGIONS = new DecisionRequest("select", "wh", List.of("sales"), "regions", List.of("name"));

  private static Decision allow(long version) {
    return new Decision(true, "p", version, List.of(), null);
  }

  @Test
  void parsesTheDecideAnswer() throws Exception {
    Decision d = DecisionClient.parse(new ObjectMapper().readTree("""
        {"decision":"allow","policyId":"x","policyName":"sales readers","policyVersion":1,"policySetVersion":7,"audit":false,
         "masks":[{"column":"name","type":"CUSTOM","expression":"lower({col})","policyId":"y"},{"column":"c","type":"MASK_NULL","policyId":"z"}],
         "rowFilter":{"filter":"regionkey = 1","policyId":"w"}}"""));
    assertTrue(d.allowed());
    assertEquals(7, d.policySetVersion());
    assertEquals(List.of(new Decision.Mask("name", "CUSTOM", "lower({col})"), new Decision.Mask("c", "MASK_NULL", null)), d.masks());
    assertEquals("regionkey = 1", d.rowFilter());
    assertFalse(d.unrestricted());
    Decision denied = DecisionClient.parse(new ObjectMapper().readTree("""
        {"decision":"deny","policyId":null,"policyName":null,"policyVersion":null,"policySetVersion":7,"audit":false,"masks":[],"rowFilter":null}"""));
    assertFalse(denied.allowed());
    assertNull(denied.policyName());
  }

  @Test
  void aCachedDecisionLastsItsTtl() throws Exception {
    DecisionCache cache = new DecisionCache();
    Decision d = allow(3);
    cache.put(NATIONS, d);
    assertSame(d, cache.get(NATIONS, 60_000));
    assertNull(cache.get(REGIONS, 60_000));
    Thread.sleep(5);
    assertNull(cache.get(NATIONS, 1));
  }

  @Test
  void aNewerPolicySetVersionDropsOlderDecisions() {
    DecisionCache cache = new DecisionCache();
    cache.put(NATIONS, allow(3));
    cache.put(REGIONS, allow(4));
    assertNull(cache.get(NATIONS, 60_000));
    assertEquals(4, cache.get(REGIONS, 60_000).policySetVersion());
  }

  @Test
  void pinnedKeys() {
    for (String key : List.of("spark.sql.runSQLOnFiles", " spark.sql.runSQLOnFiles", "spark.sql.catalog.wh.token", "spark.sql.catalog.evil", "spark.lakeplane.url", "spark.sql.defaultCatalog")) {
      assertTrue(Settings.pinned(key), key);
    }
    for (String key : List.of("spark.sql.shuffle.partitions", "spark.sql.session.timeZone", "spark.sql.ansi.enabled")) {
      assertFalse(Settings.pinned(key), key);
    }
  }

  @Test
  void verifiedTokensAreKeyedByTheirHash() {
    assertEquals(64, IdentityClient.sha256("lpat_secret").length());
    assertFalse(IdentityClient.sha256("lpat_secret").contains("secret"));
  }
}
