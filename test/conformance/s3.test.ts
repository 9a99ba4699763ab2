/** The store contract suite against a real S3-compatible server (Ceph RGW from scripts/start-radosgw.sh). */
import { describe } from 'node:test';
import { createS3Store } from '../../src/storage/s3/index.js';
import { s3TestConfig } from '../helpers/s3-test-server.js';
import { storeConformance } from './suite.js';

const s3 = s3TestConfig();

if ('skip' in s3) {
  describe('store conformance: s3 (RGW)', { skip: s3.skip }, () => {});
} else {
  storeConformance('s3 (RGW)', async () => ({ store: createS3Store(s3.options) }));
}
