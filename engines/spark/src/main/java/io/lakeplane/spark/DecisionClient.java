package io.lakeplane.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Asks Lakeplane's decide API for a session's user, with the user's own token (the principal defaults to the caller,
 * so nobody can ask for someone else), in one batch per plan, through the session's cache. Any failure to get an
 * answer is a denial: enforcement fails closed.
 */
public final class DecisionClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The most requests POST /api/v1/policies/decide/batch takes in one call. */
  static final int BATCH_LIMIT = 1000;

  private DecisionClient() {}

  public static List<Decision> decide(SessionIdentity who, List<DecisionRequest> requests) {
    Settings settings = Settings.get();
    DecisionCache cache = who.decisions();
    Map<Integer, Decision> answers = new LinkedHashMap<>();
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      Decision hit = cache.get(requests.get(i), settings.policyTtlMs());
      if (hit != null) answers.put(i, hit);
      else missing.add(i);
    }
    if (!missing.isEmpty()) {
      List<DecisionRequest> ask = missing.stream().map(requests::get).toList();
      List<Decision> fresh = fetch(settings, who.token(), ask);
      for (int j = 0; j < missing.size(); j++) {
        answers.put(missing.get(j), fresh.get(j));
        cache.put(ask.get(j), fresh.get(j));
      }
    }
    List<Decision> out = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) out.add(answers.get(i));
    return out;
  }

  private static List<Decision> fetch(Settings settings, String token, List<DecisionRequest> requests) {
    // The batch route takes at most BATCH_LIMIT requests (a read of many paths can ask more): one call per slice.
    if (requests.size() > BATCH_LIMIT) {
      List<Decision> out = new ArrayList<>();
      for (int from = 0; from < requests.size(); from += BATCH_LIMIT) {
        out.addAll(fetch(settings, token, requests.subList(from, Math.min(requests.size(), from + BATCH_LIMIT))));
      }
      return out;
    }
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create(settings.url() + "/api/v1/policies/decide/batch"))
          .timeout(Duration.ofSeconds(15)).header("authorization", "Bearer " + token).header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body(requests)))).build();
      HttpResponse<String> response = IdentityClient.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw Denials.denied("Lakeplane's decide API answered " + response.statusCode() + " (" + abbreviate(response.body()) + "); access is denied until it answers");
      }
      JsonNode decisions = JSON.readTree(response.body()).path("decisions");
      if (!decisions.isArray() || decisions.size() != requests.size()) throw Denials.denied("Lakeplane's decide API answered " + decisions.size() + " decisions for " + requests.size() + " requests");
      List<Decision> out = new ArrayList<>();
      for (JsonNode d : decisions) out.add(parse(d));
      return out;
    } catch (IOException e) {
      throw Denials.denied("Lakeplane's decide API could not be reached (" + e.getMessage() + "); access is denied until it answers");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Denials.denied("interrupted while asking Lakeplane's decide API");
    }
  }

  /** The batch request's body: a table request names warehouse, namespace, table (and columns); a path one its url alone. */
  static ObjectNode body(List<DecisionRequest> requests) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode list = body.putArray("requests");
    for (DecisionRequest r : requests) {
      ObjectNode item = list.addObject();
      item.put("access", r.access());
      ObjectNode resource = item.putObject("resource");
      if (r.isUrl()) {
        resource.put("url", r.url());
        continue;
      }
      resource.put("warehouse", r.warehouse());
      if (!r.namespace().isEmpty()) {
        ArrayNode ns = resource.putArray("namespace");
        r.namespace().forEach(ns::add);
        if (r.table() != null) resource.put("table", r.table());
        if (r.table() != null && !r.columns().isEmpty()) {
          ArrayNode cols = resource.putArray("columns");
          r.columns().forEach(cols::add);
        }
      }
    }
    return body;
  }

  static Decision parse(JsonNode d) {
    List<Decision.Mask> masks = new ArrayList<>();
    for (JsonNode m : d.path("masks")) {
      masks.add(new Decision.Mask(m.path("column").asText(), m.path("type").asText(), m.hasNonNull("expression") ? m.get("expression").asText() : null));
    }
    JsonNode filter = d.path("rowFilter");
    String rowFilter = filter.isObject() && filter.hasNonNull("filter") ? filter.get("filter").asText() : null;
    return new Decision("allow".equals(d.path("decision").asText()), d.hasNonNull("policyName") ? d.get("policyName").asText() : null,
        d.path("policySetVersion").asLong(0), List.copyOf(masks), rowFilter);
  }

  private static String abbreviate(String text) {
    return text.length() > 300 ? text.substring(0, 300) + "…" : text;
  }
}
