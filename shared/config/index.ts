export { loadConfig, ConfigSchema, ConfigError, type Config } from './config.js';
export { plainAddress, type TrustedProxies } from './trusted-proxies.js';
