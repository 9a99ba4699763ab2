/**
 * The compiled CLI (src/cli/index.js beside this build's test/) as a child process, against a real s3gate listening in this
 * process on a fresh fs store.
 */
import { createHash } from 'node:crypto';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { cleanEnv } from '../helpers/child-server.js';
import { startServer, storesUnderTest, type TestServer } from '../helpers/server.js';
import type { ObjectSummary } from '../../src/storage/types.js';

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
  return startCli(args, options).result;
}

/** A CLI run in progress: what it printed so far, a way to wait for some output, and its end. */
export interface RunningCli {
  child: ChildProcess;
  /** Output so far (stdout and stderr). */
  seen(): Omit<CliResult, 'code'>;
  /** Resolves once `test` holds for the output so far; rejects if the CLI ends first. */
  until(test: (output: Omit<CliResult, 'code'>) => boolean): Promise<void>;
  result: Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

export function startCli(args: string[], options: RunOptions = {}): RunningCli {
  const env = cleanEnv({ ...(options.endpoint ? { S3GATE_ENDPOINT: options.endpoint } : {}), ...options.env });
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end(options.stdin ?? '');
  const out = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => ((out.stdout += d), wake()));
  child.stderr.setEncoding('utf8').on('data', (d: string) => ((out.stderr += d), wake()));
  const result = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, ...out }));
  });
  const until = (test: (output: Omit<CliResult, 'code'>) => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!test(out)) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
      void result.then((r) => {
        waiters.delete(check);
        reject(new Error(`the CLI ended before the awaited output:\n${describeRun(r)}`));
      });
    });
  return { child, seen: () => ({ ...out }), until, result };
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

/** An access key for the service's config that may do everything, and its bearer token for the CLI. */
export function adminKey(id: string): { key: Record<string, unknown>; token: string } {
  const secret = `${id}-secret-0123456789abcdef`;
  const secretHash = `sha256:${createHash('sha256').update(secret).digest('hex')}`;
  return { key: { id, secretHash, grants: [{ bucket: '*', actions: ['admin'] }] }, token: `${id}.${secret}` };
}

/** Asserts-friendly summary of a run, for failure messages. */
export function describeRun(result: CliResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

/** Stores an object directly in the service's store (set-up that is not under test). */
export async function putText(service: Service, bucket: string, key: string, text: string): Promise<void> {
  await service.store.putObject({ bucket, key, body: Readable.from([Buffer.from(text)]) });
}

/** Every object of a bucket under a prefix, by key, straight from the store (every page). */
export async function storedObjects(service: Service, bucket: string, prefix = ''): Promise<Map<string, ObjectSummary>> {
  const objects = new Map<string, ObjectSummary>();
  let startAfter: string | undefined;
  for (;;) {
    const page = await service.store.listObjects({ bucket, prefix: prefix || undefined, startAfter });
    for (const object of page.objects) objects.set(object.key, object);
    startAfter = page.objects.at(-1)?.key;
    if (!page.isTruncated || startAfter === undefined) return objects;
  }
}

/** The content of small file number `i`: 100 B to 1 KiB, naming itself. */
export function smallContent(i: number): string {
  return `file ${i} `.padEnd(100 + ((i * 397) % 924), String.fromCharCode(97 + (i % 26)));
}

/** `count` small files below `root`, 1000 a folder (d000/f00000.txt, ...), written 64 at a time; their relative paths. */
export async function writeSmallFiles(root: string, count: number): Promise<string[]> {
  const paths = Array.from({ length: count }, (_, i) => join(`d${String(Math.floor(i / 1000)).padStart(3, '0')}`, `f${String(i).padStart(5, '0')}.txt`));
  for (let folder = 0; folder * 1000 < count; folder++) await mkdir(join(root, `d${String(folder).padStart(3, '0')}`), { recursive: true });
  for (let i = 0; i < count; i += 64) {
    await Promise.all(paths.slice(i, i + 64).map((path, j) => writeFile(join(root, path), smallContent(i + j))));
  }
  return paths;
}
