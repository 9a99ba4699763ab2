/**
 * An S3 operation: which requests it answers and its handler. S3 tells its operations apart by method, by
 * what the path names (the service, a bucket, an object), by subresources in the query (`?uploads`,
 * `?tagging`) and by some headers (x-amz-copy-source); the dispatcher (dispatch.ts) picks the first whose
 * conditions hold, so the table lists the specific before the plain.
 */
import type { BucketCall, ObjectCall, S3Call } from './context.js';

export type S3Method = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';

interface Common {
  /** S3's name of the operation (ListObjectsV2), for logs and metrics. */
  name: string;
  method: S3Method;
  /** A query parameter the request must carry (a subresource or a selector such as `list-type`). */
  query?: string;
  /** ...with this value. */
  queryValue?: string;
  /** A request header it must carry. */
  header?: string;
}

export type S3Operation =
  | (Common & { target: 'service'; handle(call: S3Call): Promise<unknown> })
  | (Common & { target: 'bucket'; handle(call: BucketCall): Promise<unknown> })
  | (Common & { target: 'object'; handle(call: ObjectCall): Promise<unknown> });
