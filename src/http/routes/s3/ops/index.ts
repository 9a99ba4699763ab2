/** Every S3 operation the face offers (the dispatcher tries those with a query or header condition first). */
import { dispatchOrder } from '../dispatch.js';
import type { S3Operation } from '../operation.js';
import { BUCKET_OPERATIONS } from './buckets.js';
import { OBJECT_OPERATIONS } from './objects.js';
import { POST_OBJECT_OPERATIONS } from './post-object.js';

export const S3_OPERATIONS: readonly S3Operation[] = dispatchOrder([...BUCKET_OPERATIONS, ...OBJECT_OPERATIONS, ...POST_OBJECT_OPERATIONS]);
