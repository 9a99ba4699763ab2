/**
 * The compiled CLI (dist/src/cli/index.js) as a child process, against a real s3gate listening in this
 * process on a fresh fs store.
 */
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { cleanEnv } from '../helpers/child-server.js';
import { startServer, storesUnderTest, type TestServer } from '../helpers/server.js';

export const CLI = fileURLToPath(new URL('../../src/cli/index.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  endpoint?: string;
  cwd?: string;
  env?: Record<string, string>;
  /** Written to the child's stdin, then closed. */
  stdin?: string;
}

export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const env = cleanEnv({ ...(options.endpoint ? { S3GATE_ENDPOINT: options.endpoint } : {}), ...options.env });
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end(options.stdin ?? '');
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface Service extends TestServer {
  /** runCli against this service. */
  cli(args: string[], options?: Omit<RunOptions, 'endpoint'>): Promise<CliResult>;
  stop(): Promise<void>;
}

/** A real s3gate on a loopback port over a fresh fs store, with config `settings` (e.g. rate limits). */
export async function startService(settings: Record<string, unknown> = {}): Promise<Service> {
  const fs = storesUnderTest()[0];
  if (fs === undefined) throw new Error('no fs store under test');
  const { store, cleanup } = await fs.open();
  const server = await startServer(store, settings);
  return {
    ...server,
    cli: (args, options = {}) => runCli(args, { ...options, endpoint: server.url }),
    stop: async () => {
      await server.close();
      await cleanup();
    },
  };
}

/** Asserts-friendly summary of a run, for failure messages. */
export function describeRun(result: CliResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

/** Stores an object directly in the service's store (set-up that is not under test). */
export async function putText(service: Service, bucket: string, key: string, text: string): Promise<void> {
  await service.store.putObject({ bucket, key, body: Readable.from([Buffer.from(text)]) });
}
