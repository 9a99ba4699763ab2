/**
 * What the S3 client tool tests share: a real s3gate process (dist/src/main.js) whose S3 listener the tools
 * talk to, on the fs store and on the s3 store (Ceph RGW); keys made by `s3gate keys create --s3`; the
 * tools run as child processes with a home of their own (no user config is ever read); files of random
 * bytes and their MD5s, to compare what went in with what came out.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { spawnServer, type ChildServer } from '../../helpers/child-server.js';
import { s3TestConfig } from '../../helpers/s3-test-server.js';
import { tempDir } from '../../helpers/server.js';
import { after, before, describe, it } from '../../helpers/suites.js';
import { toolVersion, type Tool } from '../../helpers/tools.js';
import { describeRun, runCli } from '../../cli/harness.js';

export interface S3Key {
  id: string;
  secret: string;
}

/** The limited key may read, list, write and delete keys under this prefix only, in any bucket. */
const GRANTED_PREFIX = 'granted/';

export interface Gate {
  /** The S3 listener, as the tools' endpoint: http://127.0.0.1:<port>. */
  s3Url: string;
  /** host:port of the S3 listener (s3cmd's host_base). */
  s3Host: string;
  /** May do everything. */
  admin: S3Key;
  /** May touch GRANTED_PREFIX only. */
  limited: S3Key;
  /** A scratch folder of the test's own (the tools' home and config files, the files they move). */
  work: string;
  /** The AWS SDK with the admin key: checks and clean-up beside the tool under test. */
  sdk: S3Client;
  /** The service's log so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

interface GateUnderTest {
  name: string;
  skip: string | false;
  start(): Promise<Gate>;
}

async function createS3Key(grant: string): Promise<S3Key & { key: unknown }> {
  const made = await runCli(['keys', 'create', '--s3', '--grant', grant, '--json']);
  assert.equal(made.code, 0, describeRun(made));
  return JSON.parse(made.stdout) as S3Key & { key: unknown };
}

/** The environment that puts the child on the s3 store (RGW 16 keeps no x-amz-checksum-* and asks none). */
function s3StoreEnv(): Record<string, string> {
  const s3 = s3TestConfig();
  if ('skip' in s3) throw new Error(s3.skip);
  return {
    S3GATE_STORE: 's3',
    S3GATE_S3_ENDPOINT: s3.options.endpoint ?? '',
    S3GATE_S3_REGION: s3.options.region,
    S3GATE_S3_FORCE_PATH_STYLE: 'true',
    S3GATE_S3_ACCESS_KEY_ID: s3.options.accessKeyId ?? '',
    S3GATE_S3_SECRET_ACCESS_KEY: s3.options.secretAccessKey ?? '',
    S3GATE_S3_CHECKSUMS: 'none',
    S3GATE_S3_CHECKSUM: 'WHEN_REQUIRED',
  };
}

async function startGate(storeEnv: Record<string, string>): Promise<Gate> {
  const work = await tempDir('s3-clients');
  const admin = await createS3Key('*=admin');
  const limited = await createS3Key(`*/${GRANTED_PREFIX}=read,list,write,delete`);
  const keysFile = join(work, 'keys.json');
  await writeFile(keysFile, JSON.stringify([admin.key, limited.key]), { mode: 0o600 });
  await chmod(keysFile, 0o600);
  await mkdir(join(work, 'home'));
  let server: ChildServer;
  try {
    server = await spawnServer({
      S3GATE_DATA_DIR: join(work, 'data'),
      S3GATE_KEYS_FILE: keysFile,
      // TEST_LOG_LEVEL=debug shows each S3 request in failure messages
      S3GATE_LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'info',
      ...storeEnv,
    });
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
  const s3Url = server.s3Url;
  if (s3Url === undefined) throw new Error(`the service logged no S3 address:\n${server.output()}`);
  const sdk = new S3Client({ endpoint: s3Url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: admin.id, secretAccessKey: admin.secret } });
  return {
    s3Url,
    s3Host: new URL(s3Url).host,
    admin: { id: admin.id, secret: admin.secret },
    limited: { id: limited.id, secret: limited.secret },
    work,
    sdk,
    log: () => server.output(),
    stop: async () => {
      sdk.destroy();
      server.proc.kill('SIGTERM');
      // a service that does not stop in time is killed, so that the run goes on (and its test says so)
      const killer = setTimeout(() => server.proc.kill('SIGKILL'), 10_000);
      const code = await server.exited;
      clearTimeout(killer);
      assert.equal(code, 0, `s3gate did not stop cleanly:\n${server.output().slice(-4000)}`);
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** A child s3gate on the fs store always, and on the s3 store where a test server is configured. */
function gatesUnderTest(): GateUnderTest[] {
  const s3 = s3TestConfig();
  return [
    { name: 'fs', skip: false, start: () => startGate({ S3GATE_STORE: 'fs' }) },
    { name: 's3 (RGW)', skip: 'skip' in s3 ? s3.skip : false, start: () => startGate(s3StoreEnv()) },
  ];
}

/** A bucket name no other run uses (RGW is shared between runs). */
function uniqueBucket(tool: string): string {
  return `${tool}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export const MiB = 1 << 20;
export const SMALL_SIZE = 7777;

/** What a tool's tests work with, filled in before they run. */
export interface ToolSuite {
  gate: Gate;
  tool: Tool;
  /** A bucket of the suite's own (made by the tool's first test or set-up), removed after. */
  bucket: string;
  /** A file of SMALL_SIZE random bytes. */
  small: { path: string; md5: string };
}

/**
 * One suite per store for a tool: a child s3gate started before, the bucket and the service removed after.
 * `name` starts the suites' names and the bucket's ("aws CLI v2" → "aws-cli-v2-...").
 */
export function describeTool(name: string, found: { tool: Tool } | { skip: string }, body: (suite: ToolSuite) => void): void {
  for (const under of gatesUnderTest()) {
    describe(`${name} against the S3 listener (${under.name}${toolVersion(found)})`, { skip: 'skip' in found ? found.skip : under.skip }, () => {
      // its fields are set before any test of the suite runs, and its body's own hooks run after this one
      const suite = { bucket: uniqueBucket(name.toLowerCase().replace(/[^a-z0-9]+/g, '-')), small: { path: '', md5: '' } } as ToolSuite;
      before(async () => {
        if ('skip' in found) throw new Error(found.skip);
        suite.tool = found.tool;
        suite.gate = await under.start();
        suite.small.path = join(suite.gate.work, 'up', 'small.bin');
        suite.small.md5 = await writeRandomFile(suite.small.path, SMALL_SIZE);
      });
      after(async () => {
        if (!suite.gate) return;
        await removeBucket(suite.gate, suite.bucket);
        await suite.gate.stop();
      });
      body(suite);
    });
  }
}

/** The key with its secret's last character changed. */
function wrongSecret(key: S3Key): S3Key {
  return { id: key.id, secret: `${key.secret.slice(0, -1)}${key.secret.endsWith('x') ? 'y' : 'x'}` };
}

/** How a tool's output names each refusal: by its S3 code, or by status where the tool shows no code. */
export interface Refusals {
  wrongSecret: RegExp;
  outsideGrants: RegExp;
}

/**
 * The two refusals every tool must meet, as tests: a wrong secret, and the limited key outside its grants;
 * each stores nothing, and inside its grants the limited key may write. `upload(key, as)` sends the
 * suite's small file to `key` with the key `as`.
 */
export function itRefuses(s: ToolSuite, upload: (key: string, as: S3Key) => Promise<ToolRun>, refusals: Refusals): void {
  it('refuses a wrong secret, and stores nothing', async () => {
    assertRefused(s, await upload('wrong-secret.bin', wrongSecret(s.gate.admin)), refusals.wrongSecret);
    await assertNotStored(s, 'wrong-secret.bin');
  });

  it('refuses a key outside its grants, and stores nothing; inside them it may write', async () => {
    assertRefused(s, await upload('outside.bin', s.gate.limited), refusals.outsideGrants);
    await assertNotStored(s, 'outside.bin');
    assertRan(s, await upload(`${GRANTED_PREFIX}inside.bin`, s.gate.limited));
    await assertStored(s, `${GRANTED_PREFIX}inside.bin`, s.small.md5);
  });
}

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** What ran, for failure messages. */
  command: string;
}

/**
 * Runs a tool with nothing of the user's: the environment is PATH, a home in the gate's scratch folder and
 * `env`. Killed after `timeoutMs` (a hanging tool fails the test instead of stalling the run).
 */
export function runTool({ gate, tool }: ToolSuite, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<ToolRun> {
  const home = join(gate.work, 'home');
  const command = [tool.path, ...args].join(' ');
  return new Promise((resolve) => {
    execFile(
      tool.path,
      args,
      { env: { PATH: process.env['PATH'], HOME: home, ...env }, cwd: gate.work, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        resolve({ code, stdout, stderr: err?.killed ? `${stderr}\n(killed after ${timeoutMs} ms)` : stderr, command });
      },
    );
  });
}

function report({ gate }: ToolSuite, run: ToolRun): string {
  const log = gate.log().split('\n').slice(-40).join('\n');
  return `${run.command}\nexit ${run.code}\n--- stdout\n${run.stdout.slice(-4000)}\n--- stderr\n${run.stderr.slice(-4000)}\n--- s3gate's log (last lines)\n${log}`;
}

export function assertRan(suite: ToolSuite, run: ToolRun): void {
  assert.equal(run.code, 0, report(suite, run));
}

/** The tool failed, and said why in words matching `why` (an S3 error code such as AccessDenied). */
export function assertRefused(suite: ToolSuite, run: ToolRun, why: RegExp): void {
  assert.notEqual(run.code, 0, `expected a refusal:\n${report(suite, run)}`);
  assert.match(`${run.stdout}\n${run.stderr}`, why, report(suite, run));
}

/** Writes `size` random bytes to `path` in 1 MiB chunks; its MD5. */
export async function writeRandomFile(path: string, size: number): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const hash = createHash('md5');
  let left = size;
  const chunks = Readable.from(
    (function* () {
      while (left > 0) {
        const chunk = randomBytes(Math.min(left, 1 << 20));
        left -= chunk.length;
        hash.update(chunk);
        yield chunk;
      }
    })(),
  );
  await pipeline(chunks, createWriteStream(path));
  return hash.digest('hex');
}

/** The MD5 of a file's bytes, or of several files' one after the other (the parts of an upload). */
export async function md5File(...paths: string[]): Promise<string> {
  const hash = createHash('md5');
  for (const path of paths) for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every file below `root`, by its path relative to it ("a/b.txt"), with its MD5. */
export async function treeDigests(root: string): Promise<Map<string, string>> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  const digests = await Promise.all(files.map(async (path) => [relative(root, path).split('\\').join('/'), await md5File(path)] as const));
  return new Map(digests.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A small folder tree of random files (nested folders, an empty file, a name with a space); its digests. */
export async function writeTree(root: string): Promise<Map<string, string>> {
  const sizes: Record<string, number> = { 'top.txt': 1_000, 'empty.bin': 0, 'a/one.bin': 70_000, 'a/b/two.bin': 3_000, 'a/b/c/with space.txt': 10, 'z/last.bin': 200_000 };
  for (const [path, size] of Object.entries(sizes)) await writeRandomFile(join(root, path), size);
  return treeDigests(root);
}

/** The object is not in the suite's bucket (a refused write stored nothing). */
export async function assertNotStored({ gate, bucket }: ToolSuite, key: string): Promise<void> {
  await assert.rejects(gate.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: key })), (err: unknown) => {
    assert.ok(err instanceof S3ServiceException, String(err));
    assert.equal(err.$metadata.httpStatusCode, 404, `${bucket}/${key} should not exist`);
    return true;
  });
}

/** The object is in the suite's bucket, with the MD5 `md5` as its (single-part) ETag. */
export async function assertStored({ gate, bucket }: ToolSuite, key: string, md5: string): Promise<void> {
  const head = await gate.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  assert.equal(head.ETag, `"${md5}"`, `${bucket}/${key}`);
}

/** The object is `size` bytes sent in `parts` parts (its ETag says how many); its head, for more checks. */
export async function assertParts({ gate, bucket }: ToolSuite, key: string, size: number, parts: number): Promise<HeadObjectCommandOutput> {
  const head = await gate.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  assert.equal(head.ContentLength, size);
  assert.match(head.ETag ?? '', new RegExp(`^"[0-9a-f]{32}-${parts}"$`), `${key} in ${parts} parts`);
  return head;
}

/** Removes a bucket with whatever a test left in it (uploads too): RGW outlives the run. Best effort. */
async function removeBucket(gate: Gate, bucket: string): Promise<void> {
  try {
    const uploads = await gate.sdk.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    for (const upload of uploads.Uploads ?? []) await gate.sdk.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }));
  } catch {
    // no uploads to list (or no such listing yet): the objects and the bucket may still go
  }
  try {
    for (let token: string | undefined; ; ) {
      const page = await gate.sdk.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const object of page.Contents ?? []) await gate.sdk.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key }));
      token = page.NextContinuationToken;
      if (!token) break;
    }
    await gate.sdk.send(new DeleteBucketCommand({ Bucket: bucket }));
  } catch (err) {
    if (err instanceof S3ServiceException && err.name === 'NoSuchBucket') return;
    console.warn(`could not remove bucket ${bucket}: ${String(err)}`);
  }
}
