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
  /** A checksum header that is malformed, or two that disagree. */
  InvalidDigest: 400,
  InvalidTag: 400,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  /** A multipart part other than the last is shorter than the minimum part size. */
  EntityTooSmall: 400,
  MalformedXML: 400,
  /** A request path that cannot be read (a malformed percent-encoding). */
  InvalidURI: 400,
  /** A browser upload (POST Object) whose form or policy cannot be read. */
  MalformedPOSTRequest: 400,
  InvalidPolicyDocument: 400,
  /** A browser upload whose fields before the file are larger than S3 allows. */
  MaxPostPreDataLengthExceeded: 400,
  /** A CreateBucket location constraint other than the listener's region. */
  InvalidLocationConstraint: 400,
  IncompleteBody: 400,
  /** A SigV4 Authorization header or presigned query that cannot be read. */
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  /** The body's SHA-256 is not the one x-amz-content-sha256 announced. */
  XAmzContentSHA256Mismatch: 400,
  /** An aws:kms key id the service has no key for. */
  'KMS.NotFoundException': 400,
  /** No valid access key on a request that needs one (answered with WWW-Authenticate: Bearer). */
  Unauthorized: 401,
  AccessDenied: 403,
  /** A CORS preflight (or its request) that no rule of the bucket allows. */
  AccessForbidden: 403,
  /** A SigV4 signature made with an access key id the service does not know. */
  InvalidAccessKeyId: 403,
  SignatureDoesNotMatch: 403,
  /** A signed request more than 15 minutes from the service's clock. */
  RequestTimeTooSkewed: 403,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NotFound: 404,
  NoSuchUpload: 404,
  /** A version id other than "null": s3gate keeps one version of each object. */
  NoSuchVersion: 404,
  NoSuchTagSet: 404,
  NoSuchCORSConfiguration: 404,
  /** A bucket without object lock (every bucket here: none is created with it). */
  ObjectLockConfigurationNotFoundError: 404,
  /** A bucket without lifecycle rules (every bucket here: s3gate does not expire objects). */
  NoSuchLifecycleConfiguration: 404,
  /** A bucket without default encryption. */
  ServerSideEncryptionConfigurationNotFoundError: 404,
  MethodNotAllowed: 405,
  RequestTimeout: 408,
  BucketAlreadyExists: 409,
  BucketNotEmpty: 409,
  /** CreateBucket of a bucket that exists (S3 answers this to its owner; every key here is the owner). */
  BucketAlreadyOwnedByYou: 409,
  /** A change the bucket cannot take in its state (object lock on a bucket made without it). */
  InvalidBucketState: 409,
  /** A body of unknown length where S3 needs one (UploadPart, PutObject without chunked framing). */
  MissingContentLength: 411,
  PreconditionFailed: 412,
  EntityTooLarge: 413,
  UriTooLong: 414,
  InvalidRange: 416,
  /** A part number beyond the parts of the object read (GetObject/HeadObject with partNumber). */
  InvalidPartNumber: 416,
  /** Rate limited (S3 says 503 SlowDown; HTTP clients expect 429 with Retry-After). */
  TooManyRequests: 429,
  RequestHeaderFieldsTooLarge: 431,
  InternalError: 500,
  /** An operation or option this store or face does not offer. */
  NotImplemented: 501,
  ServiceUnavailable: 503,
  /** The store has no room for a write (a full disk); deletes still work and free space. */
  InsufficientStorage: 507,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ServiceErrorOptions {
  cause?: unknown;
  /** For a refusal that passes by itself (503, 507): when to try again, sent as Retry-After. */
  retryAfterSeconds?: number | undefined;
}

/** An error with a stable code; the message is safe to show to the caller. */
export class ServiceError extends Error {
  readonly code: ErrorCode;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options?: ServiceErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ServiceError';
    this.code = code;
    this.retryAfterSeconds = options?.retryAfterSeconds;
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

/** Answers with these statuses tell the caller when to come back (Retry-After): the refusal passes by itself. */
export const RETRY_LATER_STATUSES: ReadonlySet<number> = new Set([503, 507]);

/** Retry-After of a refusal whose error does not say: long enough for a restart or a failover to finish. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** The Retry-After value (seconds) an answer with this error and status carries, or undefined for none. */
export function retryAfterOf(err: unknown, status: number): number | undefined {
  if (!RETRY_LATER_STATUSES.has(status)) return undefined;
  const asked = isServiceError(err) ? err.retryAfterSeconds : undefined;
  return asked !== undefined && Number.isFinite(asked) && asked >= 0 ? Math.ceil(asked) : DEFAULT_RETRY_AFTER_SECONDS;
}
