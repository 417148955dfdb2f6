package io.lakeplane.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a credential against Lakeplane (GET /api/v1/me with it as the bearer token). Answers are kept briefly, keyed by
 * the token's SHA-256 (the token itself is not kept as a key), so a query does not cost a round trip; a revoked token
 * stops working within the TTL. Refusals are not cached.
 */
public final class IdentityClient {
  /** The credential was refused (401/403): the caller is not authenticated. */
  public static final class Refused extends Exception {
    Refused(String message) {
      super(message);
    }
  }

  private record Cached(Identity identity, long expiresAt) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final IdentityClient INSTANCE = new IdentityClient();

  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

  public static IdentityClient get() {
    return INSTANCE;
  }

  public Identity verify(String token) throws Refused, IOException {
    if (token == null || token.isBlank()) throw new Refused("no Lakeplane credential");
    Settings settings = Settings.get();
    String key = sha256(token);
    long now = System.currentTimeMillis();
    Cached hit = cache.get(key);
    if (hit != null && hit.expiresAt > now) return hit.identity;
    HttpRequest request = HttpRequest.newBuilder(URI.create(settings.url() + "/api/v1/me"))
        .timeout(Duration.ofSeconds(10)).header("authorization", "Bearer " + token).header("accept", "application/json").GET().build();
    HttpResponse<String> response;
    try {
      response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while checking the credential", e);
    }
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      cache.remove(key);
      throw new Refused("Lakeplane refused the credential (" + response.statusCode() + ")");
    }
    if (response.statusCode() != 200) throw new IOException("GET /api/v1/me answered " + response.statusCode() + ": " + response.body());
    Identity identity = parse(JSON.readTree(response.body()));
    if (cache.size() > 10_000) cache.clear(); // bounded: a flood of distinct tokens cannot grow it without end
    cache.put(key, new Cached(identity, now + settings.identityTtlMs()));
    return identity;
  }

  static Identity parse(JsonNode me) throws IOException {
    String name = me.path("name").asText("");
    if (name.isEmpty()) throw new IOException("GET /api/v1/me answered without a name: " + me);
    List<String> groups = new ArrayList<>();
    me.path("groups").forEach(g -> groups.add(g.asText()));
    return new Identity(me.path("kind").asText("user"), me.path("id").asText(""), name, me.path("isAdmin").asBoolean(false), List.copyOf(groups));
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
