/** Which control policy bundle is in force (policy_state), and the archives of uploaded ones, as the authorizer reads them. */
export interface ControlPolicyStore {
  /** The control version (bumped by every activation or rollback) and the bundle in force. */
  inForce(): Promise<ControlPolicyState>;
  /** The archive of an uploaded bundle. */
  archive(bundleId: string): Promise<Buffer>;
}

export interface ControlPolicyState {
  readonly version: number;
  /** null: the bundle shipped with Lakeplane. */
  readonly bundleId: string | null;
}
