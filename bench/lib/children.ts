/** Peer servers for the benchmarks, each in a process of its own so that none shares the client's core time. */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export interface Child {
  origin: string;
  /** s3gate's S3-compatible listener, for s3gate itself. */
  s3Origin?: string | undefined;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `node <script in dist/bench> ...args` (with node flags) and waits for its {"port": N} line. */
export async function startChild(script: string, args: string[], nodeFlags: string[] = []): Promise<Child> {
  const path = fileURLToPath(new URL(`../${script}`, import.meta.url));
  const proc = spawn(process.execPath, [...nodeFlags, path, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    proc.stdout.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { port: number }).port));
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    proc,
    stop: async () => {
      proc.kill();
      await new Promise((resolve) => proc.once('exit', resolve));
    },
  };
}

/** How the service is started in production (package.json, deploy/): see the README, "Memory". */
const SERVICE_NODE_FLAG = '--max-semi-space-size=2';

/** A free loopback port: bound, then released. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * s3gate itself (dist/src/main.js) with the given S3GATE_* settings, logging warnings only and without the
 * per-address rate limit (one load generator on one address is what it exists to stop); ready when /healthz answers.
 */
export async function startS3gate(env: Record<string, string>): Promise<Child> {
  const port = await freePort();
  const s3Port = await freePort();
  const main = fileURLToPath(new URL('../../src/main.js', import.meta.url));
  const proc = spawn(process.execPath, [SERVICE_NODE_FLAG, main], {
    env: { PATH: process.env['PATH'], S3GATE_PORT: String(port), S3GATE_S3API_PORT: String(s3Port), S3GATE_LOG_LEVEL: 'warn', S3GATE_RATE_LIMIT_PER_ADDRESS: '0', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`s3gate exited with ${proc.exitCode}`);
    const ok = await fetch(`${origin}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (i > 200) throw new Error('s3gate did not start in 20 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    origin,
    s3Origin: `http://127.0.0.1:${s3Port}`,
    proc,
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((resolve) => proc.once('exit', resolve));
    },
  };
}
