import type { BlockList } from 'node:net';
import { parseCidrList, type Config } from '../../../shared/config/index.js';
import { allowListOfSetting } from './address-ranges.js';

export { checkTarget, TargetRefusedError, type CheckedTarget, type ResolveHost } from './check-target.js';
export { postPinned } from './post-pinned.js';

/** The ranges this platform's admin allows webhook targets into although they are internal. */
export const allowedRanges = (config: Config): BlockList => allowListOfSetting(config.LAKEPLANE_WEBHOOK_ALLOWED_CIDRS, parseCidrList);
