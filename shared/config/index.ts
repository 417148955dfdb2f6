export { loadConfig, ConfigSchema, ConfigError, type Config } from './config.js';
export { parseCidrList, type CidrRange } from './cidr-list.js';
