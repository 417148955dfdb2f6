export { loadConfig, ConfigSchema, ConfigError, type Config } from './config.js';
