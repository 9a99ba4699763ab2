/**
 * rclone against s3gate's S3 listener, on each store: copy, sync and check of a folder tree both ways, a
 * file sent in parts (a low --s3-upload-cutoff), the bytes compared end to end; a wrong secret and a key
 * outside its grants are refused and store nothing. Configured by environment only (RCLONE_CONFIG_S3GATE_*),
 * with an empty config file of the test's own.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, it } from '../../helpers/suites.js';
import { RCLONE, findTool } from '../../helpers/tools.js';
import { MiB, assertNotStored, assertParts, assertRan, describeTool, itRefuses, md5File, runTool, treeDigests, writeRandomFile, writeTree, type S3Key, type ToolRun } from './harness.js';

describeTool('rclone', await findTool(RCLONE), (s) => {
  const remote = (path = '') => `s3gate:${s.bucket}${path === '' ? '' : `/${path}`}`;

  /** One rclone command on the remote "s3gate", short timeouts, a single try. */
  async function rclone(args: string[], key: S3Key = s.gate.admin): Promise<ToolRun> {
    const config = join(s.gate.work, 'rclone.conf');
    await writeFile(config, '');
    return runTool(s, [...args, '--contimeout', '5s', '--timeout', '30s', '--retries', '1', '--low-level-retries', '1'], {
      RCLONE_CONFIG: config,
      RCLONE_CONFIG_S3GATE_TYPE: 's3',
      RCLONE_CONFIG_S3GATE_PROVIDER: 'Other',
      RCLONE_CONFIG_S3GATE_ENDPOINT: s.gate.s3Url,
      RCLONE_CONFIG_S3GATE_REGION: 'us-east-1',
      RCLONE_CONFIG_S3GATE_FORCE_PATH_STYLE: 'true',
      RCLONE_CONFIG_S3GATE_ACCESS_KEY_ID: key.id,
      RCLONE_CONFIG_S3GATE_SECRET_ACCESS_KEY: key.secret,
    });
  }

  before(async () => {
    assertRan(s, await rclone(['mkdir', remote()]));
  });

  it('copies a folder tree up, checks it, and copies it back down', async () => {
    const tree = join(s.gate.work, 'tree');
    const digests = await writeTree(tree);
    assertRan(s, await rclone(['copy', tree, remote('tree')]));
    const checked = await rclone(['check', tree, remote('tree')]);
    assertRan(s, checked);
    assert.match(checked.stderr, new RegExp(`${digests.size} matching files`));
    const back = join(s.gate.work, 'tree-back');
    assertRan(s, await rclone(['copy', remote('tree'), back]));
    assert.deepEqual(await treeDigests(back), digests);
  });

  it('syncs a changed tree both ways: a deleted file goes, a new one comes, and check agrees', async () => {
    const tree = join(s.gate.work, 'tree');
    await rm(join(tree, 'a', 'one.bin'));
    await writeRandomFile(join(tree, 'new', 'fresh.bin'), 5000);
    assertRan(s, await rclone(['sync', tree, remote('tree')]));
    assertRan(s, await rclone(['check', tree, remote('tree')]));
    const listed = await rclone(['lsf', '-R', '--files-only', remote('tree')]);
    assertRan(s, listed);
    assert.deepEqual(listed.stdout.split('\n').filter((l) => l !== '').sort(), [...(await treeDigests(tree)).keys()].sort());
    await assertNotStored(s, 'tree/a/one.bin');

    // and the other way: a folder synced from the bucket becomes the tree, losing what the bucket lacks
    const mirror = join(s.gate.work, 'tree-mirror');
    await writeRandomFile(join(mirror, 'stale.bin'), 10);
    assertRan(s, await rclone(['sync', remote('tree'), mirror]));
    assert.deepEqual(await treeDigests(mirror), await treeDigests(tree));
  });

  it('sends a 12 MB file in 5 MiB parts above a low --s3-upload-cutoff, and gets the same bytes', async () => {
    const big = join(s.gate.work, 'up', 'big.bin');
    const md5 = await writeRandomFile(big, 12 * MiB);
    assertRan(s, await rclone(['copyto', big, remote('big.bin'), '--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M']));
    const head = await assertParts(s, 'big.bin', 12 * MiB, 3);
    assert.equal(head.Metadata?.['md5chksum'], Buffer.from(md5, 'hex').toString('base64'), "rclone's MD5 kept as metadata");
    const sums = await rclone(['md5sum', remote('big.bin')]);
    assertRan(s, sums);
    assert.equal(sums.stdout.trim(), `${md5}  big.bin`);
    const down = join(s.gate.work, 'down', 'big.bin');
    assertRan(s, await rclone(['copyto', remote('big.bin'), down]));
    assert.equal(await md5File(down), md5);
  });

  // rclone HEADs the target first, and a HEAD's refusal has no body to name its code
  const forbidden = /403 Forbidden|status code: 403/;
  itRefuses(s, (key, as) => rclone(['copyto', s.small.path, remote(key), '--s3-no-check-bucket'], as), { wrongSecret: forbidden, outsideGrants: forbidden });

  it('deletes files and purges the bucket', async () => {
    assertRan(s, await rclone(['deletefile', remote('tree/top.txt')]));
    await assertNotStored(s, 'tree/top.txt');
    assertRan(s, await rclone(['purge', remote()]));
    const buckets = await rclone(['lsd', 's3gate:']);
    assertRan(s, buckets);
    assert.doesNotMatch(buckets.stdout, new RegExp(` ${s.bucket}$`, 'm'));
  });
});
