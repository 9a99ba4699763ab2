/**
 * The README's shell examples, run as printed and in order against a fresh service, so that the README
 * cannot drift from what the service and the CLI do.
 *
 * - Every ```sh block runs, unless the line before it says why not: `<!-- not run: needs an AWS account -->`
 *   (starting the service itself, Docker, systemd, other servers). The test lists what it skipped.
 * - The blocks run in one bash session (`set -euo pipefail`), in an empty folder, with `s3gate` on the PATH
 *   the way the README says to put it there (`npm link`, here into a temporary prefix). curl fails on an
 *   HTTP error (`--fail-with-body`), so an example that answers 404 fails the test.
 * - The one change made to the text: the service's address 127.0.0.1:9090 becomes the test server's port
 *   (and S3GATE_ENDPOINT for the CLI), so that a service already running on 9090 does not matter.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cleanEnv, spawnServer, type ChildServer } from '../helpers/child-server.js';
import { tempDir } from '../helpers/server.js';
import { after, before, describe, it } from '../helpers/suites.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FENCE = /^```(\S*)\s*$/;
const NOT_RUN = /^<!-- not run: (.+) -->$/;
/** `<!-- needs: aws rclone -->`: the block runs where those programs are installed (always under CI). */
const NEEDS = /^<!-- needs: ([a-z0-9 -]+) -->$/;

interface Example {
  line: number;
  language: string;
  code: string;
  /** Why it is not run, when the README says so. */
  notRun?: string | undefined;
  /** Programs it needs besides bash, curl and s3gate. */
  needs: string[];
}

function examplesOf(markdown: string): Example[] {
  const lines = markdown.split('\n');
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '');
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !FENCE.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '');
    const previous = lines.slice(0, start).reverse().find((l) => l.trim() !== '') ?? '';
    const needs = NEEDS.exec(previous.trim())?.[1]?.split(' ').filter(Boolean) ?? [];
    out.push({ line: start + 1, language: open[1] ?? '', code: body.join('\n'), notRun: NOT_RUN.exec(previous.trim())?.[1], needs });
  }
  return out;
}

/** Runs `script` with bash; resolves with its exit code and everything it printed. */
function runBash(script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn('bash', ['-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('error', reject);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Whether `tool` is on the PATH. */
async function installed(tool: string): Promise<boolean> {
  const { code } = await runBash(`command -v ${tool}`, '/', process.env, 5_000);
  return code === 0;
}

describe('README examples', () => {
  let examples: Example[];
  let server: ChildServer;
  let work: string;
  let bin: string;
  let dir: string;

  before(async () => {
    examples = examplesOf(await readFile(join(ROOT, 'README.md'), 'utf8'));
    dir = await tempDir('readme');
    work = join(dir, 'work');
    await mkdir(work);
    // the README's way to put s3gate on the PATH, into a prefix of the test's own
    await promisify(execFile)('npm', ['link', '--no-audit', '--no-fund'], { cwd: ROOT, env: { ...process.env, npm_config_prefix: join(dir, 'global') } });
    bin = join(dir, 'global', 'bin');
    server = await spawnServer({}, { cwd: work });
  });
  after(async () => {
    server.proc.kill('SIGTERM');
    await server.exited;
    await rm(dir, { recursive: true, force: true });
  });

  it('opens with the two commands for a fresh machine', () => {
    const first = examples[0];
    assert.ok(first && first.language === 'sh', 'the first block is shell');
    const commands = first.code.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean);
    assert.deepEqual(commands, ['npm install && npm start', 'npm install && npm test']);
  });

  it('says why of every shell example that is not run', () => {
    const shell = examples.filter((e) => e.language === 'sh');
    const skipped = shell.filter((e) => e.notRun !== undefined);
    for (const e of skipped) assert.ok((e.notRun ?? '').length > 10, `README line ${e.line}: give a reason`);
    assert.ok(shell.length - skipped.length >= 6, `only ${shell.length - skipped.length} shell examples run`);
    console.log(`README: ${shell.length - skipped.length} shell examples run; not run: ${skipped.map((e) => `line ${e.line} (${e.notRun})`).join('; ')}`);
  });

  it('puts s3gate on the PATH with npm link', async () => {
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const { stdout } = await promisify(execFile)(join(bin, 's3gate'), ['--version']);
    assert.equal(stdout.trim(), version);
  });

  it('runs every other shell example, in order, as printed', async () => {
    const port = new URL(server.url).port;
    const s3Port = new URL(/"s3Address":"(http:\/\/[^"]+)"/.exec(server.output())?.[1] ?? 'http://x:0').port;
    const missing = (await Promise.all(
      [...new Set(examples.flatMap((e) => e.needs))].map(async (tool) => ((await installed(tool)) ? [] : [tool])),
    )).flat();
    if (missing.length > 0 && process.env['CI']) assert.fail(`CI must install what the README's examples use: ${missing.join(', ')}`);
    const runnable = examples.filter((e) => e.language === 'sh' && e.notRun === undefined);
    const lacking = runnable.filter((e) => e.needs.some((tool) => missing.includes(tool)));
    if (lacking.length > 0) console.warn(`\n*** README examples skipped, ${missing.join(', ')} not installed: lines ${lacking.map((e) => e.line).join(', ')} ***\n`);
    const blocks = runnable
      .filter((e) => !lacking.includes(e))
      .map((e) => `echo ${JSON.stringify(`### README line ${e.line}`)}\n${e.code.replaceAll('127.0.0.1:9090', `127.0.0.1:${port}`).replaceAll('127.0.0.1:9000', `127.0.0.1:${s3Port}`)}`);
    const script = ['set -euo pipefail', 'curl() { command curl --silent --show-error --fail-with-body "$@"; }', ...blocks, 'echo "### all examples ran"'].join('\n');
    const env = cleanEnv({ PATH: `${bin}:${process.env['PATH'] ?? ''}`, HOME: work, S3GATE_ENDPOINT: server.url });
    const { code, output } = await runBash(script, work, env, 240_000);
    const last = output.lastIndexOf('### README line');
    assert.equal(code, 0, `failed in the example at ${output.slice(last, last + 30).split('\n')[0]}:\n${output.slice(last).slice(-4000)}`);
    assert.match(output, /### all examples ran/);
  });
});
