/**
 * SIGHUP reloads the access keys of a running process (dist/src/main.js) from its keys file: an added key
 * works, a removed one gets 401, an upload authorized before the reload finishes, and a bad new set (broken
 * JSON, an invalid entry, an empty set) is logged while the old keys stay. No secret or hash is ever logged.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from '../helpers/suites.js';
import type { AccessKeyConfig } from '../../src/config/auth.js';
import { spawnServer, untilOutput, type ChildServer } from '../helpers/child-server.js';
import { tempDir } from '../helpers/server.js';
import { call } from '../http/v1-support.js';
import { bearer, keyOf, SECRET } from './support.js';

const OPS = keyOf('ops', [{ bucket: '*', actions: ['admin'] }]);
const READER = keyOf('reader', [{ bucket: '*', actions: ['list', 'read'] }]);

describe('access keys reloaded on SIGHUP', () => {
  let dir: string;
  let keysFile: string;
  let server: ChildServer;

  const writeKeys = (content: AccessKeyConfig[] | string) =>
    writeFile(keysFile, typeof content === 'string' ? content : JSON.stringify({ keys: content }));
  /** Sends SIGHUP and waits for the key reload's log line. */
  async function hangUp(outcome: RegExp): Promise<void> {
    const mark = server.output().length;
    server.proc.kill('SIGHUP');
    await untilOutput(server, outcome, mark);
  }
  const status = async (keyId: string) => (await call(server.url, 'GET', '/v1/buckets', { headers: bearer(keyId) })).status;

  before(async () => {
    dir = await tempDir('keys-reload');
    keysFile = join(dir, 'keys.json');
    await writeKeys([OPS]);
    server = await spawnServer({ S3GATE_DATA_DIR: join(dir, 'data'), S3GATE_KEYS_FILE: keysFile });
    assert.equal((await call(server.url, 'PUT', '/v1/buckets/reloaded', { headers: bearer('ops') })).status, 201);
  });

  after(async () => {
    server.proc.kill('SIGTERM');
    assert.equal(await server.exited, 0, server.output());
    const output = server.output();
    assert.doesNotMatch(output, new RegExp(SECRET), 'no secret in the log');
    assert.doesNotMatch(output, new RegExp(OPS.secretHash?.slice('sha256:'.length) ?? 'x'), 'no hash in the log');
  });

  it('takes a key added to the keys file', async () => {
    assert.equal(await status('reader'), 401);
    await writeKeys([OPS, READER]);
    await hangUp(/access keys reloaded: 2 keys \(1 added, 0 removed\)/);
    assert.equal(await status('reader'), 200);
    assert.equal(await status('ops'), 200);
  });

  it('refuses a removed key with 401, while an upload it began before the reload finishes', async () => {
    const body = Buffer.alloc(64 * 1024, 'u');
    const upload = http.request(`${server.url}/v1/buckets/reloaded/objects/late.bin`, {
      method: 'PUT',
      headers: { ...bearer('ops'), 'content-length': body.length },
    });
    const answered = new Promise<number>((resolve, reject) => {
      upload.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      upload.on('error', reject);
    });
    upload.write(body.subarray(0, 1024)); // authenticated when its head arrived
    await new Promise((resolve) => setTimeout(resolve, 200));

    await writeKeys([READER]);
    await hangUp(/access keys reloaded: 1 keys \(0 added, 1 removed\)/);
    assert.equal(await status('ops'), 401);
    assert.equal(await status('reader'), 200);
    upload.end(body.subarray(1024));
    assert.equal(await answered, 201, 'the request authorized before the reload is not cut off');
    const stored = await call(server.url, 'GET', '/v1/buckets/reloaded/objects/late.bin', { headers: bearer('reader') });
    assert.equal(stored.body.length, body.length);
  });

  it('keeps the old keys when the new set is bad, and says why without quoting the file', async () => {
    const leaked = 'Zq9x7w'; // short: V8's JSON errors quote the ten characters before the fault
    const bad: Array<[string, RegExp]> = [
      [`[{"id": "x", "secret": "${leaked}"},]`, /keys\.json \(S3GATE_KEYS_FILE\): not valid JSON/],
      [JSON.stringify([{ ...READER, grants: [] }]), /keys\.0\.grants/],
      [JSON.stringify([]), /the new set is empty/],
    ];
    for (const [content, reason] of bad) {
      await writeKeys(content);
      const mark = server.output().length;
      await hangUp(/access keys not reloaded/);
      assert.match(server.output().slice(mark), reason);
      assert.match(server.output().slice(mark), /"level":50/, 'an error');
      assert.equal(await status('reader'), 200, 'the old keys still work');
      assert.equal(await status('ops'), 401);
    }
    assert.doesNotMatch(server.output(), new RegExp(leaked));
  });
});
