/**
 * Where the tests find a real S3-compatible server (Ceph RGW from scripts/start-radosgw.sh, or any other).
 *
 *   const s3 = s3TestConfig();
 *   describe('...', 'skip' in s3 ? { skip: s3.skip } : {}, () => { ... createS3Store(s3.options) ... });
 *
 * Without S3GATE_TEST_S3_ENDPOINT the tests are skipped loudly on a developer's machine; under CI
 * (CI set) it throws instead, because a silent skip there would hide an untested store.
 */
import { isChecksumAlgorithm } from '../../src/storage/checksums.js';
import { S3_STORE_DEFAULTS, type S3StoreOptions } from '../../src/storage/s3/options.js';
import type { ChecksumAlgorithm } from '../../src/storage/types.js';

export const S3_TEST_ENV = {
  endpoint: 'S3GATE_TEST_S3_ENDPOINT',
  accessKey: 'S3GATE_TEST_S3_ACCESS_KEY',
  secretKey: 'S3GATE_TEST_S3_SECRET_KEY',
  /** The checksum algorithms the test server keeps, comma-separated; unset: none, as Ceph RGW 16 keeps none. */
  checksums: 'S3GATE_TEST_S3_CHECKSUMS',
} as const;

const HOW_TO =
  'run `eval "$(scripts/start-radosgw.sh)"` (it exports ' +
  `${S3_TEST_ENV.endpoint}, ${S3_TEST_ENV.accessKey} and ${S3_TEST_ENV.secretKey})`;

function checksumList(text: string): ChecksumAlgorithm[] {
  const names = text.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !isChecksumAlgorithm(name));
  if (unknown.length > 0) throw new Error(`${S3_TEST_ENV.checksums}: not checksum algorithms: ${unknown.join(', ')}`);
  return names.filter(isChecksumAlgorithm);
}

export type S3TestConfig = { options: S3StoreOptions } | { skip: string };

export function s3TestConfig(env: NodeJS.ProcessEnv = process.env): S3TestConfig {
  const endpoint = env[S3_TEST_ENV.endpoint];
  if (!endpoint) {
    if (env.CI) throw new Error(`CI must provide an S3 server for the s3 store tests: ${HOW_TO}.`);
    const skip = `s3 store tests skipped: no S3 endpoint; ${HOW_TO}`;
    console.warn(`\n*** ${skip} ***\n`);
    return { skip };
  }
  return {
    options: {
      ...S3_STORE_DEFAULTS,
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      accessKeyId: env[S3_TEST_ENV.accessKey] ?? 's3gate-test',
      secretAccessKey: env[S3_TEST_ENV.secretKey] ?? 's3gate-test-secret',
      checksums: checksumList(env[S3_TEST_ENV.checksums] ?? ''),
    },
  };
}
