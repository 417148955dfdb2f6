package io.lakeplane.spark;

import java.io.IOException;
import javax.security.sasl.AuthenticationException;
import org.apache.hive.service.auth.PasswdAuthenticationProvider;

/**
 * HiveServer2's CUSTOM authentication (hive.server2.authentication=CUSTOM,
 * hive.server2.custom.authentication.class=this class): the password is a Lakeplane credential (a personal access
 * token, an access token, a service account's token), checked with GET /api/v1/me; the user name must be the name it
 * belongs to. Anything else is refused at connect. The identity is handed to the session this connection opens next
 * (SessionIdentities), on this same thread.
 */
public final class LakeplanePasswdAuthenticator implements PasswdAuthenticationProvider {
  @Override
  public void Authenticate(String user, String password) throws AuthenticationException {
    SessionIdentities.handOff(null);
    Identity identity;
    try {
      identity = IdentityClient.get().verify(password);
    } catch (IdentityClient.Refused e) {
      throw new AuthenticationException("Lakeplane refused the credential of " + user + ": " + e.getMessage());
    } catch (IOException | RuntimeException e) {
      throw new AuthenticationException("could not check the credential of " + user + " with Lakeplane: " + e.getMessage(), e);
    }
    if (user == null || !user.equals(identity.name())) {
      throw new AuthenticationException("the credential belongs to " + identity.name() + ", not to " + user + ": connect with user name " + identity.name());
    }
    SessionIdentities.handOff(new SessionIdentity(identity, password));
  }
}
