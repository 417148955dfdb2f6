/** The STS port: temporary credentials for a role, narrowed by a session policy. */
export interface AssumeRoleRequest {
  roleArn: string;
  externalId?: string | undefined;
  /** STS endpoint; the SDK's default (AWS) when absent. */
  endpoint?: string | undefined;
  region: string;
  /** Who asks STS: the warehouse's own keys (the SDK's default chain when absent). */
  callerCredentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined } | undefined;
  /** 2 to 64 of [\w+=,.@-]: shows in the role's session ARN and in CloudTrail. */
  sessionName: string;
  durationSeconds: number;
  /** The session policy as JSON text. */
  policy: string;
}

export interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface RoleAssumer {
  assumeRole(request: AssumeRoleRequest): Promise<RoleCredentials>;
}

let assumer: Promise<RoleAssumer> | undefined;

/** The STS client, loaded on first use like the S3 store: a process that never vends never parses the SDK. */
export function stsRoleAssumer(): Promise<RoleAssumer> {
  assumer ??= import('./sts-client.js').then(({ StsRoleAssumer }) => new StsRoleAssumer());
  return assumer;
}
