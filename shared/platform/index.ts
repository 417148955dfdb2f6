export type { Platform } from './platform.js';
export { createPlatform, type RunningPlatform } from './create-platform.js';
export { consumersOf, platformConsumers } from './platform-consumers.js';
