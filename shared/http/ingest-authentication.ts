import type { Config } from '../config/index.js';
import { platformObject, type Authorizer } from '../policy/index.js';
import { UnauthenticatedError } from '../errors/index.js';
import { SenderIdentityVerifier, senderIdentitySettings } from '../events/index.js';
import { checkScope, type CallerAuthenticator } from './credentials.js';
import type { RequestContext } from './route.js';

const BEARER = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Who may deliver a CloudEvent to /cloudevents/<function>, in one order: a Knative Eventing sender whose token the
 * cluster's issuer signed for this Service (LAKEPLANE_INGEST_OIDC_*); else a platform principal allowed
 * events:ingest; else, with no credential at all, nobody, unless the process is cluster-local and anonymous
 * deliveries were asked for (config refuses the one without the other). A credential that does not verify is
 * refused even where anonymous deliveries are allowed: a bad token is a mistake to report, not a reason to fall back.
 */
export class IngestAuthentication {
  private readonly senders: SenderIdentityVerifier | undefined;
  private readonly allowAnonymous: boolean;

  /** `platform`: what a delivery by a platform principal is checked with. */
  constructor(
    config: Config,
    private readonly platform: { readonly authenticator: Pick<CallerAuthenticator, 'authenticate'>; readonly authorizer: Authorizer },
  ) {
    const settings = senderIdentitySettings(config);
    this.senders = settings ? new SenderIdentityVerifier(settings) : undefined;
    this.allowAnonymous = config.LAKEPLANE_INGEST_ALLOW_ANONYMOUS && config.LAKEPLANE_INGEST_CLUSTER_LOCAL;
  }

  async admit(ctx: Pick<RequestContext<unknown, unknown, unknown>, 'headers' | 'principal' | 'auditDetail'>, functionName: string): Promise<void> {
    const authorization = ctx.headers.authorization;
    const token = authorization ? BEARER.exec(authorization.trim())?.[1] : undefined;
    if (token && this.senders?.claimedBy(token)) {
      const subject = await this.senders.verify(token);
      ctx.auditDetail = `delivered by ${subject}`;
      return;
    }
    // The pipeline set aside a credential it could not verify (this route is public): asked again, it says why.
    const principal = ctx.principal ?? (authorization ? await this.platform.authenticator.authenticate(authorization) : undefined);
    if (principal) {
      checkScope(principal, ['events']);
      await this.platform.authorizer.authorize(principal, 'events:ingest', platformObject('events', functionName));
      return;
    }
    if (this.allowAnonymous) return;
    throw new UnauthenticatedError(
      this.senders
        ? 'delivering events needs a Knative Eventing sender identity token or a platform credential'
        : 'delivering events needs a platform credential (no Knative sender issuer is configured)',
      undefined,
    );
  }
}
