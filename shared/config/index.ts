export { loadConfig, ConfigSchema, ConfigError, type Config } from './config.js';
export { plainAddress, type TrustedProxies } from './trusted-proxies.js';
export { parseCidrList, type CidrRange } from './cidr-list.js';
export { parseGatewayUpstreams } from './gateway-upstreams.js';
