/**
 * s3cmd against s3gate's S3 listener, on each store: mb, put, get, ls, del, a put in 5 MiB parts, rb; the
 * bytes compared end to end (s3cmd also checks them itself against the ETag or its own MD5 metadata); a
 * wrong secret and a key outside its grants are refused and store nothing. Configured by a config file of
 * the test's own: path-style, plain HTTP, SigV4.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from '../../helpers/suites.js';
import { S3CMD, findTool } from '../../helpers/tools.js';
import { MiB, SMALL_SIZE, assertNotStored, assertParts, assertRan, describeTool, itRefuses, md5File, runTool, writeRandomFile, type S3Key, type ToolRun } from './harness.js';

describeTool('s3cmd', await findTool(S3CMD), (s) => {
  const url = (key = '') => `s3://${s.bucket}/${key}`;

  /** One s3cmd command with a config file for `key`: host_bucket without %(bucket)s means path-style. */
  async function s3cmd(args: string[], key: S3Key = s.gate.admin): Promise<ToolRun> {
    const config = join(s.gate.work, 's3cfg');
    const lines = [
      '[default]',
      `access_key = ${key.id}`,
      `secret_key = ${key.secret}`,
      `host_base = ${s.gate.s3Host}`,
      `host_bucket = ${s.gate.s3Host}`,
      'bucket_location = us-east-1',
      'use_https = False',
      'signature_v2 = False',
      'socket_timeout = 30',
      'progress_meter = False',
    ];
    await writeFile(config, `${lines.join('\n')}\n`, { mode: 0o600 });
    return runTool(s, ['--config', config, ...args]);
  }

  it('makes a bucket and lists it among the buckets', async () => {
    assertRan(s, await s3cmd(['mb', url()]));
    const listed = await s3cmd(['ls']);
    assertRan(s, listed);
    assert.match(listed.stdout, new RegExp(` s3://${s.bucket}$`, 'm'));
  });

  it('puts, lists, gets and deletes a file, the same bytes', async () => {
    assertRan(s, await s3cmd(['put', s.small.path, url('dir/small.bin')]));
    const listed = await s3cmd(['ls', '--list-md5', url('dir/')]);
    assertRan(s, listed);
    assert.match(listed.stdout, new RegExp(`\\s${SMALL_SIZE}\\s+${s.small.md5}\\s+s3://${s.bucket}/dir/small\\.bin$`, 'm'));
    const top = await s3cmd(['ls', url()]);
    assertRan(s, top);
    assert.match(top.stdout, new RegExp(`DIR\\s+s3://${s.bucket}/dir/$`, 'm'));
    const down = join(s.gate.work, 'down', 'small.bin');
    assertRan(s, await s3cmd(['get', url('dir/small.bin'), down]));
    assert.equal(await md5File(down), s.small.md5);
    assertRan(s, await s3cmd(['del', url('dir/small.bin')]));
    await assertNotStored(s, 'dir/small.bin');
  });

  it('puts a 12 MB file in 5 MiB parts and gets the same bytes', async () => {
    const big = join(s.gate.work, 'up', 'big.bin');
    const md5 = await writeRandomFile(big, 12 * MiB);
    assertRan(s, await s3cmd(['put', '--multipart-chunk-size-mb=5', big, url('big.bin')]));
    const head = await assertParts(s, 'big.bin', 12 * MiB, 3);
    assert.match(head.Metadata?.['s3cmd-attrs'] ?? '', new RegExp(`md5:${md5}`), "s3cmd's MD5 kept as metadata");
    const down = join(s.gate.work, 'down', 'big.bin');
    assertRan(s, await s3cmd(['get', url('big.bin'), down]));
    assert.equal(await md5File(down), md5);
  });

  itRefuses(s, (key, as) => s3cmd(['put', s.small.path, url(key)], as), { wrongSecret: /SignatureDoesNotMatch/, outsideGrants: /AccessDenied/ });

  it('deletes everything recursively and removes the bucket', async () => {
    assertRan(s, await s3cmd(['del', '--recursive', '--force', url()]));
    const left = await s3cmd(['ls', '--recursive', url()]);
    assertRan(s, left);
    assert.equal(left.stdout, '', 'nothing left in the bucket');
    assertRan(s, await s3cmd(['rb', url()]));
    const listed = await s3cmd(['ls']);
    assertRan(s, listed);
    assert.doesNotMatch(listed.stdout, new RegExp(` s3://${s.bucket}$`, 'm'));
  });
});
