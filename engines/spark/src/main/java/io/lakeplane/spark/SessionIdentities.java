package io.lakeplane.spark;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.spark.sql.SparkSession;

/**
 * Which Lakeplane user each Spark session belongs to. Kept here, on the server, keyed by the session object (weakly:
 * a closed session goes away with it), never in the session's conf, which the client can change.
 *
 * How sessions get bound: over HiveServer2 the authenticator runs on the connection's worker thread during the SASL
 * handshake and leaves the identity in a thread-local (the handoff); the same thread then opens the Thrift session,
 * whose new SparkSession builds its session state there, and the extension's parser builder binds it. Over Spark
 * Connect the interceptor binds the session of the (user_id, session_id) it has just checked.
 */
public final class SessionIdentities {
  private static final Map<SparkSession, SessionIdentity> BOUND = Collections.synchronizedMap(new WeakHashMap<>());
  private static final ThreadLocal<SessionIdentity> HANDOFF = new ThreadLocal<>();

  private SessionIdentities() {}

  /** The session's user, or null for a session no authenticated client opened. */
  public static SessionIdentity of(SparkSession session) {
    return BOUND.get(session);
  }

  /** Binds a session to a user; a session already bound to someone else stays theirs (and this is refused). */
  public static SessionIdentity bind(SparkSession session, Identity identity, String token) {
    synchronized (BOUND) {
      SessionIdentity existing = BOUND.get(session);
      if (existing != null) {
        if (!existing.identity().name().equals(identity.name())) {
          throw new SecurityException("this Spark session belongs to " + existing.identity().name() + ", not " + identity.name());
        }
        if (!existing.token().equals(token)) existing.renew(token);
        return existing;
      }
      SessionIdentity bound = new SessionIdentity(identity, token);
      BOUND.put(session, bound);
      return bound;
    }
  }

  /** HiveServer2: the authenticator's answer for the connection on this thread (null clears it). */
  static void handOff(SessionIdentity identity) {
    if (identity == null) HANDOFF.remove();
    else HANDOFF.set(identity);
  }

  /** HiveServer2: binds a session whose state is being built on a connection's thread to that connection's user. */
  static void bindFromHandoff(SparkSession session) {
    SessionIdentity pending = HANDOFF.get();
    if (pending != null && of(session) == null) bind(session, pending.identity(), pending.token());
  }
}
