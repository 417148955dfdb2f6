package io.lakeplane.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.connect.proto.AddArtifactsRequest;
import org.apache.spark.connect.proto.ConfigRequest;
import org.apache.spark.connect.proto.KeyValue;
import org.apache.spark.connect.proto.UserContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connect.service.SparkConnectService$;
import org.sparkproject.connect.grpc.ForwardingServerCallListener;
import org.sparkproject.connect.grpc.Metadata;
import org.sparkproject.connect.grpc.ServerCall;
import org.sparkproject.connect.grpc.ServerCallHandler;
import org.sparkproject.connect.grpc.ServerInterceptor;
import org.sparkproject.connect.grpc.Status;
import org.sparkproject.connect.protobuf.Descriptors.FieldDescriptor;
import org.sparkproject.connect.protobuf.Message;

/**
 * Spark Connect's authentication (spark.connect.grpc.interceptor.classes=this class). Out of the box the server
 * believes any user_id; here every call carries a Lakeplane credential, either as `authorization: Bearer <token>`
 * or as the `x-lakeplane-token` header (pyspark 3.5 sends unknown sc:// parameters as headers, and its own token=
 * parameter insists on TLS, which the 3.5 server does not serve):
 *   sc://127.0.0.1:PORT/;user_id=ada;x-lakeplane-token=lpat_...
 * No or a refused credential: UNAUTHENTICATED. A request whose user_context.user_id is not the credential's user,
 * a Config request that sets or unsets a pinned key (Settings.pinned), or an artifact upload by a non-admin:
 * PERMISSION_DENIED. Otherwise the request's
 * Spark session (Connect keys sessions by user_id and session_id, so after this check only that user reaches it) is
 * bound to the user and configured (SessionSetup) before the service handles the request.
 */
public final class LakeplaneConnectInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> TOKEN = Metadata.Key.of("x-lakeplane-token", Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String token = headers.get(TOKEN);
    String authorization = headers.get(AUTHORIZATION);
    if ((token == null || token.isBlank()) && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = authorization.substring(7).trim();
    }
    if (token == null || token.isBlank()) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription("a Lakeplane credential is required: connect with sc://HOST:PORT/;user_id=NAME;x-lakeplane-token=TOKEN"));
    }
    Identity identity;
    try {
      identity = IdentityClient.get().verify(token);
    } catch (IdentityClient.Refused e) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription(e.getMessage()));
    } catch (IOException | RuntimeException e) {
      return refuse(call, Status.UNAVAILABLE.withDescription("could not check the credential with Lakeplane: " + e.getMessage()));
    }
    String credential = token;
    ServerCall.Listener<Q> delegate = next.startCall(call, headers);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<Q>(delegate) {
      private boolean closed;

      @Override
      public void onMessage(Q message) {
        if (closed) return;
        String problem;
        try {
          problem = admit(message, identity, credential);
        } catch (RuntimeException e) {
          problem = "the request could not be checked: " + e;
        }
        if (problem != null) {
          closed = true;
          call.close(Status.PERMISSION_DENIED.withDescription(problem), new Metadata());
          return;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!closed) super.onHalfClose();
      }
    };
  }

  /** null when the request may go on; else why not. Binds and configures the request's session. */
  private static String admit(Object message, Identity identity, String token) {
    if (!(message instanceof Message m)) return "unexpected request type " + message.getClass().getName();
    FieldDescriptor userField = m.getDescriptorForType().findFieldByName("user_context");
    FieldDescriptor sessionField = m.getDescriptorForType().findFieldByName("session_id");
    if (userField == null || sessionField == null) return null; // no session state behind it
    String userId = ((UserContext) m.getField(userField)).getUserId();
    if (!identity.name().equals(userId)) {
      return "the credential belongs to " + identity.name() + ", but the request is for user_id '" + userId + "': connect with user_id=" + identity.name();
    }
    if (m instanceof AddArtifactsRequest && !identity.isAdmin()) {
      return "uploading jars, classes or files needs admin rights (user code runs where the warehouse's files are)";
    }
    if (m instanceof ConfigRequest config) {
      for (String key : keysChanged(config)) {
        if (Settings.pinned(key)) return key + " is set by the lakehouse and cannot be changed in a session";
      }
    }
    String sessionId = (String) m.getField(sessionField);
    if (sessionId.isEmpty()) return "the request has no session_id";
    SparkSession session = SparkConnectService$.MODULE$.getOrCreateIsolatedSession(userId, sessionId).session();
    SessionIdentities.bind(session, identity, token);
    SessionSetup.ensureConfigured(session);
    return null;
  }

  private static List<String> keysChanged(ConfigRequest config) {
    List<String> keys = new ArrayList<>();
    ConfigRequest.Operation op = config.getOperation();
    switch (op.getOpTypeCase()) {
      case SET -> op.getSet().getPairsList().stream().map(KeyValue::getKey).forEach(keys::add);
      case UNSET -> keys.addAll(op.getUnset().getKeysList());
      default -> {}
    }
    return keys;
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
    call.close(status, new Metadata());
    return new ServerCall.Listener<Q>() {};
  }
}
