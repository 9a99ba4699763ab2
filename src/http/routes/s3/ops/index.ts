/** Every S3 operation the face offers (the dispatcher tries those with a query or header condition first). */
import { dispatchOrder } from '../dispatch.js';
import type { S3Operation } from '../operation.js';
import { BUCKET_SETTINGS_OPERATIONS } from './bucket-settings.js';
import { BUCKET_OPERATIONS } from './buckets.js';
import { OBJECT_OPERATIONS } from './objects.js';

export const S3_OPERATIONS: readonly S3Operation[] = dispatchOrder([...BUCKET_OPERATIONS, ...BUCKET_SETTINGS_OPERATIONS, ...OBJECT_OPERATIONS]);
