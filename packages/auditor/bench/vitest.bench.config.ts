import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../../../vitest.config.js';

// The root config's projects, minus their include lists: only the benchmark runs.
export default mergeConfig({ ...base, test: { ...base.test, projects: undefined } }, defineConfig({ test: { include: ['packages/auditor/bench/**/*.bench.test.ts'] } }));
