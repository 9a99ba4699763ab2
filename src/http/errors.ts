/** Turning any error into an HTTP answer: the status comes from the one code→status table. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { concealMissing } from '../auth/conceal.js';
import { isServiceError, retryAfterOf, ServiceError, statusOf, type ErrorCode } from '../errors/codes.js';
import { lingerOrClose } from './body.js';
import { describeSchemaFailures, type SchemaFailure } from './validation.js';

interface HttpErrorView {
  status: number;
  code: string;
  message: string;
}

/** Fastify's own errors (bad URL encoding, bad headers...) carry a statusCode below 500. */
function isClientFastifyError(err: unknown): err is FastifyError & { statusCode: number } {
  const status = (err as FastifyError | undefined)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** A request that failed its route's JSON schema (params, querystring, headers or body). */
function isValidationError(err: unknown): err is FastifyError {
  return Array.isArray((err as FastifyError | undefined)?.validation);
}

export function errorView(err: unknown): HttpErrorView {
  if (isServiceError(err)) return { status: err.status, code: err.code, message: err.message };
  if (isValidationError(err)) {
    const message = describeSchemaFailures(err.validationContext, err.validation as SchemaFailure[]);
    return { status: statusOf('InvalidArgument'), code: 'InvalidArgument', message };
  }
  // streams aborted by a request signal reject with a plain AbortError: the client went away
  if ((err as Error | undefined)?.name === 'AbortError') {
    return { status: 400, code: 'IncompleteBody', message: 'The client disconnected before the request completed.' };
  }
  if (isClientFastifyError(err)) {
    return { status: err.statusCode, code: err.statusCode === 413 ? 'EntityTooLarge' : 'InvalidRequest', message: err.message };
  }
  return { status: 500, code: 'InternalError', message: 'The service hit an unexpected error; see its log.' };
}

/** Server-side refusals that are the state of the service, not a fault: logged as answers, not as errors. */
const EXPECTED_REFUSALS: ReadonlySet<ErrorCode> = new Set(['ServiceUnavailable', 'InsufficientStorage']);

/**
 * Logs the failure, leaves an unread request body to drain, and sets the status and Retry-After: what every
 * face does first.
 */
function prepareErrorReply(err: unknown, request: FastifyRequest, reply: FastifyReply): HttpErrorView {
  const view = errorView(concealMissing(request, err)); // a missing key is not told to a caller who may not list it
  if (view.status >= 500 && !(isServiceError(err) && EXPECTED_REFUSALS.has(err.code))) {
    request.log.error({ err }, 'request failed');
  } else {
    request.log.info({ code: view.code, status: view.status }, view.message);
  }
  lingerOrClose(request, (name, value) => reply.header(name, value));
  reply.code(view.status);
  const retryAfter = retryAfterOf(err, view.status);
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  return view;
}

/**
 * How a face words its errors: a face registers one (face-shapes.ts), so that the defences shared by every
 * face, and the socket-level refusals made before Fastify, answer in it too.
 */
export interface ErrorShape {
  /** The answer's body and its content type; `resource`: the path asked for, when known. */
  body(code: string, message: string, requestId: string, resource?: string): { contentType: string; text: string };
}

/** Answers `err` in `shape`, after what every face does first (log, drain, status, Retry-After). */
export function sendShapedError(shape: ErrorShape, err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const view = prepareErrorReply(err, request, reply);
  const q = request.url.indexOf('?');
  const { contentType, text } = shape.body(view.code, view.message, request.id, q < 0 ? request.url : request.url.slice(0, q));
  return reply.type(contentType).send(text);
}

/** Errors as text/plain, the way the tutorial API reports them. */
export const TEXT_ERRORS: ErrorShape = {
  body: (_code, message) => ({ contentType: 'text/plain; charset=utf-8', text: message }),
};

/** The one JSON error shape of the REST API v1. */
export interface JsonErrorBody {
  error: { code: string; message: string; requestId: string };
}

/** Errors as JSON, the way the REST API v1 reports them: `{"error": {"code", "message", "requestId"}}`. */
export const JSON_ERRORS: ErrorShape = {
  body: (code, message, requestId) => ({
    contentType: 'application/json; charset=utf-8',
    text: JSON.stringify({ error: { code, message, requestId } } satisfies JsonErrorBody),
  }),
};

export const sendTextError = (err: unknown, request: FastifyRequest, reply: FastifyReply) => sendShapedError(TEXT_ERRORS, err, request, reply);
export const sendJsonError = (err: unknown, request: FastifyRequest, reply: FastifyReply) => sendShapedError(JSON_ERRORS, err, request, reply);

export function notFound(what: string): ServiceError {
  return new ServiceError('NotFound', `No route for ${what}.`);
}
