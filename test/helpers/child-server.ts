/**
 * s3gate as a separate process (dist/src/main.js), for start-up, shutdown and memory tests.
 * It is found listening by its info-level start line, so keep S3GATE_LOG_LEVEL at info or below.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));

export interface ChildServer {
  url: string;
  /** The S3 listener's address ("s3Address" of the start line), when it is on. */
  s3Url: string | undefined;
  proc: ChildProcess;
  /** Everything the process wrote so far. */
  output(): string;
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number | null>;
}

/** Environment for a child: PATH and nothing else of ours, so stray S3GATE_* variables cannot leak in. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'], ...extra };
}

/**
 * Runs an ES module `script` in a child Node with `args`, which must end by itself, exit 0 within
 * `timeoutMs` (else it is killed and this rejects); resolves with what it printed on stdout. For checking
 * that nothing (a timer, a worker thread) keeps a process alive.
 */
export async function runScriptToEnd(script: string, args: string[] = [], timeoutMs = 20_000): Promise<string> {
  const run = promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, ...args], {
    env: cleanEnv({}),
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  const { stdout } = await run.catch((err: { killed?: boolean }) => {
    throw err.killed ? new Error(`the script did not end by itself within ${timeoutMs} ms`, { cause: err }) : err;
  });
  return stdout;
}

/** The listeners' addresses from the start line, once a whole one is in `out` (it may arrive in pieces). */
function startLine(out: string): { url: string; s3Url: string | undefined } | undefined {
  for (const line of out.split('\n').slice(0, -1)) {
    if (!line.includes('"address":"')) continue;
    let fields: { address?: unknown; s3Address?: unknown };
    try {
      fields = JSON.parse(line) as typeof fields;
    } catch {
      continue; // not a log record (stderr shares the output)
    }
    if (typeof fields.address !== 'string') continue;
    return { url: fields.address, s3Url: typeof fields.s3Address === 'string' ? fields.s3Address : undefined };
  }
  return undefined;
}

export function spawnServer(env: Record<string, string>, opts: { cwd?: string; args?: string[] } = {}): Promise<ChildServer> {
  // with the V8 flag of `npm start` and deploy/ (README, "Memory"), so memory is measured as run
  const proc = spawn(process.execPath, ['--max-semi-space-size=2', MAIN, ...(opts.args ?? [])], {
    cwd: opts.cwd,
    env: cleanEnv({ S3GATE_PORT: '0', S3GATE_S3API_PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server did not start in 20 s:\n${out}`));
    }, 20_000);
    const check = () => {
      const started = startLine(out);
      if (started) {
        clearTimeout(timer);
        proc.stdout.off('data', check);
        resolve({ ...started, proc, output: () => out, exited });
      }
    };
    proc.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  });
}

/** Resolves once the process has written a match of `pattern` after the first `from` characters of its output. */
export async function untilOutput(server: ChildServer, pattern: RegExp, from = 0, timeoutMs = 10_000): Promise<void> {
  for (const started = Date.now(); !pattern.test(server.output().slice(from)); ) {
    if (Date.now() - started > timeoutMs) throw new Error(`no ${pattern} in the server's output:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Peak resident memory of a process so far, in bytes (Linux VmHWM). */
export async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (!match?.[1]) throw new Error('VmHWM not found');
  return Number(match[1]) * 1024;
}

export async function currentRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match?.[1]) throw new Error('VmRSS not found');
  return Number(match[1]) * 1024;
}
