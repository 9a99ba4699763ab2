/**
 * The aws CLI v2 against s3gate's S3 listener, on each store: `aws s3` (a small file, a 20 MB file that it
 * sends in parts, a folder tree synced both ways, listing, removal) and `aws s3api`'s multipart commands,
 * the bytes compared end to end; a wrong secret and a key outside its grants are refused and store nothing.
 * Configured by environment only: the user's ~/.aws is never read.
 */
import assert from 'node:assert/strict';
import { writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { after, before, describe, it } from '../../helpers/suites.js';
import { AWS_CLI, findTool } from '../../helpers/tools.js';
import {
  GRANTED_PREFIX,
  assertNotStored,
  assertRan,
  assertRefused,
  gatesUnderTest,
  md5File,
  removeBucket,
  runTool,
  treeDigests,
  uniqueBucket,
  writeRandomFile,
  writeTree,
  type Gate,
  type S3Key,
  type ToolRun,
} from './harness.js';

const found = await findTool(AWS_CLI);
const MiB = 1 << 20;

for (const under of gatesUnderTest()) {
  const skip = 'skip' in found ? found.skip : under.skip;
  describe(`aws CLI v2 against the S3 listener (${under.name})`, { skip }, () => {
    let gate: Gate;
    const bucket = uniqueBucket('awscli');
    const small = { path: '', md5: '' };
    const big = { path: '', md5: '' };

    /** One aws command, with the admin key unless another is given, short timeouts, no retries beyond one. */
    async function aws(args: string[], key: S3Key = gate.admin): Promise<ToolRun> {
      if (!('tool' in found)) throw new Error('no aws CLI');
      const configFile = join(gate.work, 'aws-config');
      await writeFile(configFile, '[default]\nregion = us-east-1\nmax_attempts = 2\nretry_mode = standard\ns3 =\n  addressing_style = path\n');
      return runTool(gate, found.tool, [...args, '--endpoint-url', gate.s3Url, '--cli-connect-timeout', '5', '--cli-read-timeout', '30', '--no-cli-pager'], {
        AWS_ACCESS_KEY_ID: key.id,
        AWS_SECRET_ACCESS_KEY: key.secret,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: configFile,
        AWS_SHARED_CREDENTIALS_FILE: join(gate.work, 'no-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
      });
    }

    async function awsJson<T>(args: string[]): Promise<T> {
      const run = await aws([...args, '--output', 'json']);
      assertRan(gate, run);
      return JSON.parse(run.stdout) as T;
    }

    before(async () => {
      gate = await under.start();
      small.path = join(gate.work, 'up', 'small.txt');
      small.md5 = await writeRandomFile(small.path, 1234);
      big.path = join(gate.work, 'up', 'big.bin');
      big.md5 = await writeRandomFile(big.path, 20 * MiB);
    });

    after(async () => {
      if (!gate) return;
      await removeBucket(gate, bucket);
      await gate.stop();
    });

    it('makes a bucket and lists it', async () => {
      assertRan(gate, await aws(['s3', 'mb', `s3://${bucket}`]));
      const listed = await aws(['s3', 'ls']);
      assertRan(gate, listed);
      assert.match(listed.stdout, new RegExp(` ${bucket}$`, 'm'));
    });

    it('copies a small file up and down, the same bytes', async () => {
      assertRan(gate, await aws(['s3', 'cp', small.path, `s3://${bucket}/small.txt`]));
      const down = join(gate.work, 'down', 'small.txt');
      assertRan(gate, await aws(['s3', 'cp', `s3://${bucket}/small.txt`, down]));
      assert.equal(await md5File(down), small.md5);
    });

    it('sends a 20 MB file in parts and gets the same bytes back', async () => {
      assertRan(gate, await aws(['s3', 'cp', big.path, `s3://${bucket}/big.bin`]));
      const head = await gate.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: 'big.bin' }));
      assert.equal(head.ContentLength, 20 * MiB);
      assert.match(head.ETag ?? '', /^"[0-9a-f]{32}-3"$/, 'three parts of the default 8 MiB');
      const down = join(gate.work, 'down', 'big.bin');
      assertRan(gate, await aws(['s3', 'cp', `s3://${bucket}/big.bin`, down]));
      assert.equal(await md5File(down), big.md5);
    });

    it('syncs a folder tree up and back down, then a deletion with --delete', async () => {
      const tree = join(gate.work, 'tree');
      const digests = await writeTree(tree);
      assertRan(gate, await aws(['s3', 'sync', tree, `s3://${bucket}/tree/`]));
      const back = join(gate.work, 'tree-back');
      assertRan(gate, await aws(['s3', 'sync', `s3://${bucket}/tree/`, back]));
      assert.deepEqual(await treeDigests(back), digests);

      // a second sync finds nothing to do; one after a local deletion removes the object
      const again = await aws(['s3', 'sync', tree, `s3://${bucket}/tree/`]);
      assertRan(gate, again);
      assert.equal(again.stdout.trim(), '', 'nothing to send when both sides are the same');
      await rm(join(tree, 'a', 'b', 'two.bin'));
      assertRan(gate, await aws(['s3', 'sync', '--delete', tree, `s3://${bucket}/tree/`]));
      const listed = await aws(['s3', 'ls', '--recursive', `s3://${bucket}/tree/`]);
      assertRan(gate, listed);
      const keys = listed.stdout.split('\n').filter((line) => line !== '').map((line) => line.replace(/^\S+ \S+\s+\d+ /, ''));
      assert.deepEqual(keys.sort(), [...digests.keys()].filter((path) => path !== 'a/b/two.bin').map((path) => `tree/${path}`).sort());
    });

    it('lists a level with its folders', async () => {
      const listed = await aws(['s3', 'ls', `s3://${bucket}/`]);
      assertRan(gate, listed);
      assert.match(listed.stdout, /^\s+PRE tree\/$/m);
      assert.match(listed.stdout, /^\S+ \S+\s+1234 small\.txt$/m);
    });

    it('runs a multipart upload step by step with s3api: create, upload-part, list-parts, complete', async () => {
      const part1 = join(gate.work, 'parts', 'p1');
      const part2 = join(gate.work, 'parts', 'p2');
      await writeRandomFile(part1, 5 * MiB);
      await writeRandomFile(part2, 1000);
      const created = await awsJson<{ UploadId: string }>(['s3api', 'create-multipart-upload', '--bucket', bucket, '--key', 'parts.bin']);
      const etags: string[] = [];
      for (const [i, body] of [part1, part2].entries()) {
        const sent = await awsJson<{ ETag: string }>(['s3api', 'upload-part', '--bucket', bucket, '--key', 'parts.bin', '--upload-id', created.UploadId, '--part-number', String(i + 1), '--body', body]);
        etags.push(sent.ETag);
      }
      const parts = await awsJson<{ Parts: { PartNumber: number; Size: number; ETag: string }[] }>(['s3api', 'list-parts', '--bucket', bucket, '--key', 'parts.bin', '--upload-id', created.UploadId]);
      assert.deepEqual(parts.Parts.map((p) => [p.PartNumber, p.Size, p.ETag]), [[1, 5 * MiB, etags[0]], [2, 1000, etags[1]]]);
      const doc = join(gate.work, 'parts', 'complete.json');
      await writeFile(doc, JSON.stringify({ Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) }));
      const done = await awsJson<{ ETag: string }>(['s3api', 'complete-multipart-upload', '--bucket', bucket, '--key', 'parts.bin', '--upload-id', created.UploadId, '--multipart-upload', `file://${doc}`]);
      assert.match(done.ETag, /^"[0-9a-f]{32}-2"$/);

      const down = join(gate.work, 'down', 'parts.bin');
      assertRan(gate, await aws(['s3api', 'get-object', '--bucket', bucket, '--key', 'parts.bin', down]));
      assert.equal(await md5File(down), await md5File(part1, part2));
    });

    it('aborts a multipart upload, which then is gone', async () => {
      const created = await awsJson<{ UploadId: string }>(['s3api', 'create-multipart-upload', '--bucket', bucket, '--key', 'aborted.bin']);
      await awsJson(['s3api', 'upload-part', '--bucket', bucket, '--key', 'aborted.bin', '--upload-id', created.UploadId, '--part-number', '1', '--body', small.path]);
      assertRan(gate, await aws(['s3api', 'abort-multipart-upload', '--bucket', bucket, '--key', 'aborted.bin', '--upload-id', created.UploadId]));
      assertRefused(gate, await aws(['s3api', 'list-parts', '--bucket', bucket, '--key', 'aborted.bin', '--upload-id', created.UploadId]), /NoSuchUpload/);
      await assertNotStored(gate, bucket, 'aborted.bin');
    });

    it('refuses a wrong secret, and stores nothing', async () => {
      const wrong = { id: gate.admin.id, secret: `${gate.admin.secret.slice(0, -1)}x` };
      assertRefused(gate, await aws(['s3', 'cp', small.path, `s3://${bucket}/wrong-secret.txt`], wrong), /SignatureDoesNotMatch/);
      await assertNotStored(gate, bucket, 'wrong-secret.txt');
    });

    it('refuses a key outside its grants, and stores nothing; inside them it may write', async () => {
      assertRefused(gate, await aws(['s3', 'cp', small.path, `s3://${bucket}/outside.txt`], gate.limited), /AccessDenied/);
      await assertNotStored(gate, bucket, 'outside.txt');
      assertRan(gate, await aws(['s3', 'cp', small.path, `s3://${bucket}/${GRANTED_PREFIX}inside.txt`], gate.limited));
    });

    it('removes objects one by one, recursively, and the bucket', async () => {
      assertRan(gate, await aws(['s3', 'rm', `s3://${bucket}/small.txt`]));
      await assertNotStored(gate, bucket, 'small.txt');
      assertRan(gate, await aws(['s3', 'rm', '--recursive', `s3://${bucket}/tree/`]));
      await assertNotStored(gate, bucket, 'tree/top.txt');
      assertRan(gate, await aws(['s3', 'rb', '--force', `s3://${bucket}`]));
      const listed = await aws(['s3', 'ls']);
      assertRan(gate, listed);
      assert.doesNotMatch(listed.stdout, new RegExp(` ${bucket}$`, 'm'));
    });
  });
}
