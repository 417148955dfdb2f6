import { functionContext } from '../../shared/http/index.js';

/** What one process keeps for the metastore it serves: where its Thrift port listens, once it does. */
export interface MetastoreState {
  thrift: { host: string; port: number } | undefined;
}

/** The metastore's context (declared in index.ts): reached with `platform.contextOf(metastoreContext)`. */
export const metastoreContext = functionContext<MetastoreState>('metastore', () => ({ thrift: undefined }));
