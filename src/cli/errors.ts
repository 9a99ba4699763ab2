/**
 * Exit codes are a contract with scripts (documented in --help and README):
 * 0 ok, 1 the service answered an error (or another failure), 2 usage error, 3 cannot reach the service.
 */
export const EXIT = { ok: 0, service: 1, usage: 2, unreachable: 3 } as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI reports as one line `s3gate: <message>` and an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad arguments: a malformed path, a missing local file, a folder without --recursive. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}

/** The service answered with an error; `code` is the v1 error code (NoSuchBucket, ...). */
export class ServiceError extends CliError {
  constructor(
    readonly code: string,
    readonly detail: string,
    readonly status: number,
  ) {
    super(`${code}: ${detail}`, EXIT.service);
    this.name = 'ServiceError';
  }
}

export class UnreachableError extends CliError {
  constructor(endpoint: string, cause: string) {
    super(`cannot reach ${endpoint}: ${cause}`, EXIT.unreachable);
    this.name = 'UnreachableError';
  }
}

/** Socket-level failures: the service could not be reached, or went away mid-request. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/** The error code of a network error, looking through undici's wrappers (`cause`, AggregateError). */
export function networkErrorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined && UNREACHABLE_CODES.has(code)) return code;
    if (e instanceof AggregateError && e.errors.length > 0) e = e.errors[0];
    else e = e.cause;
  }
  return undefined;
}
