/** The store contract suite against a real S3-compatible server (Ceph RGW from scripts/start-radosgw.sh). */
import { createS3Store } from '../../src/storage/s3/index.js';
import { s3TestConfig } from '../helpers/s3-test-server.js';
import { storeConformance } from './suite.js';

const s3 = s3TestConfig();

storeConformance(
  's3 (RGW)',
  async () => {
    if ('skip' in s3) throw new Error(s3.skip); // never called: the suite is skipped
    return { store: createS3Store(s3.options) };
  },
  'skip' in s3 ? s3.skip : undefined,
  {
    partReadsOfMultipartObjects: 'Ceph RGW 16 ignores partNumber on GET and HEAD and sends the whole object',
    completionFromSomeParts: 'Ceph RGW 16 completes an upload only from every part it holds',
  },
);
