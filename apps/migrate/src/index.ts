export { defineConfig, type StrataConfig, type RuleLevel } from './config.js';
export { runCli, buildProgram, VERSION } from './cli.js';
