/** Every S3 operation the face offers, in the order the dispatcher tries them: the specific before the plain. */
import type { S3Operation } from '../operation.js';
import { BUCKET_OPERATIONS } from './buckets.js';
import { OBJECT_OPERATIONS } from './objects.js';

export const S3_OPERATIONS: readonly S3Operation[] = [...BUCKET_OPERATIONS, ...OBJECT_OPERATIONS];
