/**
 * The aws CLI v2 against s3gate's S3 listener, on each store: `aws s3` (a small file, a 20 MB file that it
 * sends in parts, a folder tree synced both ways, listing, removal) and `aws s3api`'s multipart commands,
 * the bytes compared end to end; a wrong secret and a key outside its grants are refused and store nothing.
 * Configured by environment only: the user's ~/.aws is never read.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from '../../helpers/suites.js';
import { AWS_CLI, findTool } from '../../helpers/tools.js';
import { MiB, SMALL_SIZE, assertNotStored, assertParts, assertRan, assertRefused, describeTool, itRefuses, md5File, runTool, treeDigests, writeRandomFile, writeTree, type S3Key, type ToolRun } from './harness.js';

describeTool('aws CLI v2', await findTool(AWS_CLI), (s) => {
  const url = (key = '') => `s3://${s.bucket}/${key}`;

  /** One aws command, with the admin key unless another is given, short timeouts, one retry at most. */
  async function aws(args: string[], key: S3Key = s.gate.admin): Promise<ToolRun> {
    const configFile = join(s.gate.work, 'aws-config');
    await writeFile(configFile, '[default]\nregion = us-east-1\nmax_attempts = 2\nretry_mode = standard\ns3 =\n  addressing_style = path\n');
    return runTool(s, [...args, '--endpoint-url', s.gate.s3Url, '--cli-connect-timeout', '5', '--cli-read-timeout', '30', '--no-cli-pager'], {
      AWS_ACCESS_KEY_ID: key.id,
      AWS_SECRET_ACCESS_KEY: key.secret,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: configFile,
      AWS_SHARED_CREDENTIALS_FILE: join(s.gate.work, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  }

  async function awsJson<T>(args: string[]): Promise<T> {
    const run = await aws([...args, '--output', 'json']);
    assertRan(s, run);
    return JSON.parse(run.stdout) as T;
  }

  it('makes a bucket and lists it', async () => {
    assertRan(s, await aws(['s3', 'mb', url()]));
    const listed = await aws(['s3', 'ls']);
    assertRan(s, listed);
    assert.match(listed.stdout, new RegExp(` ${s.bucket}$`, 'm'));
  });

  it('copies a small file up and down, the same bytes', async () => {
    assertRan(s, await aws(['s3', 'cp', s.small.path, url('small.bin')]));
    const down = join(s.gate.work, 'down', 'small.bin');
    assertRan(s, await aws(['s3', 'cp', url('small.bin'), down]));
    assert.equal(await md5File(down), s.small.md5);
  });

  it('sends a 20 MB file in parts and gets the same bytes back', async () => {
    const big = join(s.gate.work, 'up', 'big.bin');
    const md5 = await writeRandomFile(big, 20 * MiB);
    assertRan(s, await aws(['s3', 'cp', big, url('big.bin')]));
    await assertParts(s, 'big.bin', 20 * MiB, 3); // the CLI's default 8 MiB parts
    const down = join(s.gate.work, 'down', 'big.bin');
    assertRan(s, await aws(['s3', 'cp', url('big.bin'), down]));
    assert.equal(await md5File(down), md5);
  });

  it('syncs a folder tree up and back down, then a deletion with --delete', async () => {
    const tree = join(s.gate.work, 'tree');
    const digests = await writeTree(tree);
    assertRan(s, await aws(['s3', 'sync', tree, url('tree/')]));
    const back = join(s.gate.work, 'tree-back');
    assertRan(s, await aws(['s3', 'sync', url('tree/'), back]));
    assert.deepEqual(await treeDigests(back), digests);

    // a second sync finds nothing to do; one after a local deletion removes the object
    const again = await aws(['s3', 'sync', tree, url('tree/')]);
    assertRan(s, again);
    assert.equal(again.stdout.trim(), '', 'nothing to send when both sides are the same');
    await rm(join(tree, 'a', 'b', 'two.bin'));
    assertRan(s, await aws(['s3', 'sync', '--delete', tree, url('tree/')]));
    const listed = await aws(['s3', 'ls', '--recursive', url('tree/')]);
    assertRan(s, listed);
    const keys = listed.stdout.split('\n').filter((line) => line !== '').map((line) => line.replace(/^\S+ \S+\s+\d+ /, ''));
    const left = [...digests.keys()].filter((path) => path !== 'a/b/two.bin');
    assert.deepEqual(keys.sort(), left.map((path) => `tree/${path}`).sort());
  });

  it('lists a level with its folders', async () => {
    const listed = await aws(['s3', 'ls', url()]);
    assertRan(s, listed);
    assert.match(listed.stdout, /^\s+PRE tree\/$/m);
    assert.match(listed.stdout, new RegExp(`^\\S+ \\S+\\s+${SMALL_SIZE} small\\.bin$`, 'm'));
  });

  it('runs a multipart upload step by step with s3api: create, upload-part, list-parts, complete', async () => {
    const part1 = join(s.gate.work, 'parts', 'p1');
    const part2 = join(s.gate.work, 'parts', 'p2');
    await writeRandomFile(part1, 5 * MiB);
    await writeRandomFile(part2, 1000);
    const where = ['--bucket', s.bucket, '--key', 'parts.bin'];
    const { UploadId } = await awsJson<{ UploadId: string }>(['s3api', 'create-multipart-upload', ...where]);
    const etags: string[] = [];
    for (const [i, body] of [part1, part2].entries()) {
      const sent = await awsJson<{ ETag: string }>(['s3api', 'upload-part', ...where, '--upload-id', UploadId, '--part-number', String(i + 1), '--body', body]);
      etags.push(sent.ETag);
    }
    const listed = await awsJson<{ Parts: { PartNumber: number; Size: number; ETag: string }[] }>(['s3api', 'list-parts', ...where, '--upload-id', UploadId]);
    assert.deepEqual(listed.Parts.map((p) => [p.PartNumber, p.Size, p.ETag]), [[1, 5 * MiB, etags[0]], [2, 1000, etags[1]]]);
    const doc = join(s.gate.work, 'parts', 'complete.json');
    await writeFile(doc, JSON.stringify({ Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) }));
    assertRan(s, await aws(['s3api', 'complete-multipart-upload', ...where, '--upload-id', UploadId, '--multipart-upload', `file://${doc}`]));
    await assertParts(s, 'parts.bin', 5 * MiB + 1000, 2);
    const down = join(s.gate.work, 'down', 'parts.bin');
    assertRan(s, await aws(['s3api', 'get-object', ...where, down]));
    assert.equal(await md5File(down), await md5File(part1, part2));
  });

  it('aborts a multipart upload, which then is gone', async () => {
    const where = ['--bucket', s.bucket, '--key', 'aborted.bin'];
    const { UploadId } = await awsJson<{ UploadId: string }>(['s3api', 'create-multipart-upload', ...where]);
    await awsJson(['s3api', 'upload-part', ...where, '--upload-id', UploadId, '--part-number', '1', '--body', s.small.path]);
    assertRan(s, await aws(['s3api', 'abort-multipart-upload', ...where, '--upload-id', UploadId]));
    assertRefused(s, await aws(['s3api', 'list-parts', ...where, '--upload-id', UploadId]), /NoSuchUpload/);
    await assertNotStored(s, 'aborted.bin');
  });

  itRefuses(s, (key, as) => aws(['s3', 'cp', s.small.path, url(key)], as), { wrongSecret: /SignatureDoesNotMatch/, outsideGrants: /AccessDenied/ });

  it('removes objects one by one, recursively, and the bucket', async () => {
    assertRan(s, await aws(['s3', 'rm', url('small.bin')]));
    await assertNotStored(s, 'small.bin');
    assertRan(s, await aws(['s3', 'rm', '--recursive', url('tree/')]));
    await assertNotStored(s, 'tree/top.txt');
    assertRan(s, await aws(['s3', 'rb', '--force', url()]));
    const listed = await aws(['s3', 'ls']);
    assertRan(s, listed);
    assert.doesNotMatch(listed.stdout, new RegExp(` ${s.bucket}$`, 'm'));
  });
});
