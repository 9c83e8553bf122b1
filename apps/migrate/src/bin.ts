#!/usr/bin/env node
import { runCli } from './cli.js';

// The one place the process exits. Wait for stdout to drain so piped output
// (`migrate up --sql | psql`) is complete.
const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
process.exitCode = code;
