import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AssumeRoleRequest, RoleCredentials, RoleAssumer } from './role-assumer.js';

/**
 * AssumeRole through the AWS SDK v3, one client per STS endpoint, region and caller keys (connections are reused).
 * Works against AWS STS and any server speaking its API (moto, MinIO's STS).
 */
export class StsRoleAssumer implements RoleAssumer {
  private readonly clients = new Map<string, STSClient>();

  async assumeRole(request: AssumeRoleRequest): Promise<RoleCredentials> {
    const out = await this.clientFor(request).send(
      new AssumeRoleCommand({
        RoleArn: request.roleArn,
        RoleSessionName: request.sessionName,
        DurationSeconds: request.durationSeconds,
        Policy: request.policy,
        ...(request.externalId ? { ExternalId: request.externalId } : {}),
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration)
      throw new Error(`STS AssumeRole of ${request.roleArn} answered no credentials`);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  }

  private clientFor(request: AssumeRoleRequest): STSClient {
    const key = JSON.stringify([
      request.endpoint ?? null,
      request.region,
      request.callerCredentials?.accessKeyId ?? null,
      request.callerCredentials?.secretAccessKey ?? null,
    ]);
    let client = this.clients.get(key);
    if (!client) {
      client = new STSClient({
        region: request.region,
        ...(request.endpoint ? { endpoint: request.endpoint } : {}),
        ...(request.callerCredentials ? { credentials: request.callerCredentials } : {}),
        maxAttempts: 3,
      });
      this.clients.set(key, client);
    }
    return client;
  }
}
