export { ConfigSchema, type Config, type ConfigInput } from './schema.js';
export { loadConfig, readSecret, ENV_PREFIX, type LoadOptions } from './load.js';
