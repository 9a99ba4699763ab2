/**
 * Stable error codes shared by every layer, and the one table that decides the HTTP status for each.
 * Codes follow S3's names so that every face (tutorial, v1, S3) can report them unchanged.
 */
export const ERROR_STATUS = {
  InvalidBucketName: 400,
  InvalidKey: 400,
  KeyTooLongError: 400,
  InvalidArgument: 400,
  InvalidRequest: 400,
  BadDigest: 400,
  IncompleteBody: 400,
  /** No valid access key on a request that needs one (answered with WWW-Authenticate: Bearer). */
  Unauthorized: 401,
  AccessDenied: 403,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NotFound: 404,
  MethodNotAllowed: 405,
  RequestTimeout: 408,
  BucketAlreadyExists: 409,
  BucketNotEmpty: 409,
  PreconditionFailed: 412,
  EntityTooLarge: 413,
  UriTooLong: 414,
  InvalidRange: 416,
  /** Rate limited (S3 says 503 SlowDown; HTTP clients expect 429 with Retry-After). */
  TooManyRequests: 429,
  RequestHeaderFieldsTooLarge: 431,
  InternalError: 500,
  ServiceUnavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** An error with a stable code; the message is safe to show to the caller. */
export class ServiceError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServiceError';
    this.code = code;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof ServiceError;
}

export function statusOf(code: ErrorCode): number {
  return ERROR_STATUS[code];
}
