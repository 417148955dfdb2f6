package io.lakeplane.spark;

/** A Spark session's authenticated user, the credential it connected with, and its decisions so far. */
public final class SessionIdentity {
  private final Identity identity;
  private volatile String token;
  private final DecisionCache decisions = new DecisionCache();

  SessionIdentity(Identity identity, String token) {
    this.identity = identity;
    this.token = token;
  }

  public Identity identity() {
    return identity;
  }

  public String token() {
    return token;
  }

  /** A later request of the same user may carry a fresher token (an access token is renewed before it expires). */
  void renew(String fresher) {
    this.token = fresher;
  }

  public DecisionCache decisions() {
    return decisions;
  }
}
