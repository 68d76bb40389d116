export { startSwitchboard } from './start.js';
export type { Switchboard, StartOptions } from './start.js';
export { loadConfig } from './config.js';
export type { SwitchboardConfig, CliFlags, ConfigApp, ConfigKey, ConfigWebhook } from './config.js';
export { startHost } from './http-host.js';
export type { Host, HostOptions } from './http-host.js';
