/** Every S3 operation the face offers (the dispatcher tries those with more query or header conditions first). */
import { dispatchOrder } from '../dispatch.js';
import type { S3Operation } from '../operation.js';
import { ACL_OPERATIONS } from './acl.js';
import { ATTRIBUTES_OPERATIONS } from './attributes.js';
import { BUCKET_ENCRYPTION_OPERATIONS } from './bucket-encryption.js';
import { BUCKET_SETTINGS_OPERATIONS } from './bucket-settings.js';
import { BUCKET_OPERATIONS } from './buckets.js';
import { COPY_OPERATIONS } from './copy.js';
import { DELETE_MANY_OPERATIONS } from './delete-many.js';
import { LIFECYCLE_OPERATIONS } from './lifecycle.js';
import { LISTING_OPERATIONS } from './listing.js';
import { MULTIPART_OPERATIONS } from './multipart.js';
import { OBJECT_LOCK_OPERATIONS } from './object-lock.js';
import { OBJECT_TAGGING_OPERATIONS } from './object-tagging.js';
import { OBJECT_OPERATIONS } from './objects.js';
import { POST_OBJECT_OPERATIONS } from './post-object.js';

export const S3_OPERATIONS: readonly S3Operation[] = dispatchOrder([
  ...BUCKET_OPERATIONS,
  ...BUCKET_SETTINGS_OPERATIONS,
  ...BUCKET_ENCRYPTION_OPERATIONS,
  ...OBJECT_OPERATIONS,
  ...LISTING_OPERATIONS,
  ...DELETE_MANY_OPERATIONS,
  ...ACL_OPERATIONS,
  ...OBJECT_TAGGING_OPERATIONS,
  ...ATTRIBUTES_OPERATIONS,
  ...POST_OBJECT_OPERATIONS,
  ...MULTIPART_OPERATIONS,
  ...COPY_OPERATIONS,
  ...OBJECT_LOCK_OPERATIONS,
  ...LIFECYCLE_OPERATIONS,
]);
