#!/usr/bin/env -S node --max-semi-space-size=2
/** `npm start` entry: the service with its flags (`node dist/src/main.js --help`); the CLI is src/cli/index.ts. */
import { serveCommand } from './cli/serve.js';
import { runProgram } from './cli/run.js';

await runProgram(serveCommand('s3gate'), process.argv);
