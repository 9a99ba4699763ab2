/**
 * boto3 (Python's AWS SDK) against s3gate's S3 listener, on each store: put, get, list and delete, an
 * upload_file that goes in parts, presigned URLs used by a plain HTTP client; the bytes compared end to
 * end; a wrong secret and a key outside its grants are refused and store nothing.
 */
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { before, it } from '../../helpers/suites.js';
import { md5Hex } from '../../helpers/streams.js';
import { BOTO3, findTool } from '../../helpers/tools.js';
import { MiB, SMALL_SIZE, assertNotStored, assertParts, assertRan, assertStored, describeTool, itRefuses, md5File, runTool, writeRandomFile, type S3Key, type ToolRun } from './harness.js';

/** One boto3 call per run: `<op> <bucket> [key] [file | method]`; an S3 error ends it with its code on stderr. */
const SCRIPT = `
import json, os, sys
import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

s3 = boto3.client('s3', endpoint_url=os.environ['S3_ENDPOINT'], region_name='us-east-1',
                  config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}, connect_timeout=5,
                                read_timeout=30, retries={'max_attempts': 2, 'mode': 'standard'}))
op, bucket, *rest = sys.argv[1:]
try:
    if op == 'create':
        s3.create_bucket(Bucket=bucket)
    elif op == 'put':
        with open(rest[1], 'rb') as body:
            print(json.dumps({'ETag': s3.put_object(Bucket=bucket, Key=rest[0], Body=body)['ETag']}))
    elif op == 'get':
        answer = s3.get_object(Bucket=bucket, Key=rest[0])
        os.makedirs(os.path.dirname(rest[1]), exist_ok=True)
        with open(rest[1], 'wb') as out:
            for chunk in answer['Body'].iter_chunks(1 << 20):
                out.write(chunk)
    elif op == 'list':
        keys = []
        for page in s3.get_paginator('list_objects_v2').paginate(Bucket=bucket, Prefix=rest[0], PaginationConfig={'PageSize': 2}):
            keys += [[o['Key'], o['Size']] for o in page.get('Contents', [])]
        print(json.dumps(keys))
    elif op == 'delete':
        s3.delete_object(Bucket=bucket, Key=rest[0])
    elif op == 'upload':
        parts = TransferConfig(multipart_threshold=8 << 20, multipart_chunksize=5 << 20, max_concurrency=2)
        s3.upload_file(rest[1], bucket, rest[0], Config=parts)
    elif op == 'download':
        s3.download_file(bucket, rest[0], rest[1])
    elif op == 'presign':
        print(s3.generate_presigned_url(rest[1], Params={'Bucket': bucket, 'Key': rest[0]}, ExpiresIn=300))
    else:
        sys.exit('unknown op ' + op)
except ClientError as err:
    sys.exit('S3 error ' + err.response['Error']['Code'] + ': ' + str(err))
`;

describeTool('boto3', await findTool(BOTO3), (s) => {
  async function boto3(args: string[], key: S3Key = s.gate.admin): Promise<ToolRun> {
    const script = join(s.gate.work, 'boto3-op.py');
    await writeFile(script, SCRIPT);
    return runTool(s, [script, ...args], {
      S3_ENDPOINT: s.gate.s3Url,
      AWS_ACCESS_KEY_ID: key.id,
      AWS_SECRET_ACCESS_KEY: key.secret,
      AWS_CONFIG_FILE: join(s.gate.work, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(s.gate.work, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  }

  before(async () => {
    assertRan(s, await boto3(['create', s.bucket]));
  });

  it('puts and gets an object, the same bytes', async () => {
    const put = await boto3(['put', s.bucket, 'dir/small.bin', s.small.path]);
    assertRan(s, put);
    assert.equal((JSON.parse(put.stdout) as { ETag: string }).ETag, `"${s.small.md5}"`);
    const down = join(s.gate.work, 'down', 'small.bin');
    assertRan(s, await boto3(['get', s.bucket, 'dir/small.bin', down]));
    assert.equal(await md5File(down), s.small.md5);
  });

  it('lists page by page, and deletes', async () => {
    for (const name of ['a', 'b', 'c']) assertRan(s, await boto3(['put', s.bucket, `many/${name}`, s.small.path]));
    const listed = await boto3(['list', s.bucket, 'many/']);
    assertRan(s, listed);
    assert.deepEqual(JSON.parse(listed.stdout), ['many/a', 'many/b', 'many/c'].map((key) => [key, SMALL_SIZE]));
    assertRan(s, await boto3(['delete', s.bucket, 'many/b']));
    await assertNotStored(s, 'many/b');
    const left = await boto3(['list', s.bucket, 'many/']);
    assertRan(s, left);
    assert.deepEqual(JSON.parse(left.stdout), ['many/a', 'many/c'].map((key) => [key, SMALL_SIZE]));
  });

  it('upload_file sends a 12 MB file in parts; download_file gets the same bytes', async () => {
    const big = join(s.gate.work, 'up', 'big.bin');
    const md5 = await writeRandomFile(big, 12 * MiB);
    assertRan(s, await boto3(['upload', s.bucket, 'big.bin', big]));
    await assertParts(s, 'big.bin', 12 * MiB, 3);
    const down = join(s.gate.work, 'down', 'big.bin');
    assertRan(s, await boto3(['download', s.bucket, 'big.bin', down]));
    assert.equal(await md5File(down), md5);
  });

  it('presigns a GET and a PUT that a plain HTTP client can use, and refuses a tampered one', async () => {
    const get = await boto3(['presign', s.bucket, 'dir/small.bin', 'get_object']);
    assertRan(s, get);
    const fetched = await fetch(get.stdout.trim());
    assert.equal(fetched.status, 200);
    assert.equal(md5Hex(Buffer.from(await fetched.arrayBuffer())), s.small.md5);

    const tampered = new URL(get.stdout.trim());
    tampered.pathname = tampered.pathname.replace('small.bin', 'other.bin');
    const refused = await fetch(tampered);
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /<Code>SignatureDoesNotMatch<\/Code>/);

    const put = await boto3(['presign', s.bucket, 'presigned.bin', 'put_object']);
    assertRan(s, put);
    const body = Readable.toWeb(createReadStream(s.small.path)) as ReadableStream<Uint8Array>;
    // duplex is what Node's fetch needs for a streamed body; the DOM's RequestInit type lacks it
    const sent = await fetch(put.stdout.trim(), { method: 'PUT', body, duplex: 'half', headers: { 'content-length': String(SMALL_SIZE) } } as RequestInit);
    assert.equal(sent.status, 200, await sent.text());
    await assertStored(s, 'presigned.bin', s.small.md5);
  });

  itRefuses(s, (key, as) => boto3(['put', s.bucket, key, s.small.path], as), { wrongSecret: /S3 error SignatureDoesNotMatch/, outsideGrants: /S3 error AccessDenied/ });
});
