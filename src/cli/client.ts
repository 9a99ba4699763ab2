/**
 * A small client for the REST API v1 (docs/api-v1.md) on undici. Requests go through Dispatcher.request with
 * a raw path, so keys are sent exactly as encoded here (no URL normalisation of `.` and `..` segments).
 * 429 and 503 answers are retried when the body can be sent again (retry.ts), after one pause shared by
 * every request of the client.
 */
import { STATUS_CODES } from 'node:http';
import { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import { ServiceError, UnreachableError, UsageError, networkErrorCode } from './errors.js';
import { formatWait, MAX_RETRIES, planRetry, RETRY_STATUSES, retryAfterMs, SharedPause } from './retry.js';

/** Big socket buffers: a 3× lever on loopback transfers. */
export const STREAM_BUFFER = 1024 * 1024;

export interface ClientOptions {
  endpoint: string;
  /** Sent as `Authorization: Bearer <token>` when set (for when the service has access keys). */
  token?: string | undefined;
  /** Told of each pause before a retry (once per pause, not per request), in words for the user. */
  onRetry?: ((notice: string) => void) | undefined;
}

/** A request body: a stream is sent once (stdin); a function opens it anew for each attempt (a file). */
export type RequestBody = string | Readable | (() => Readable);

export interface Bucket {
  name: string;
  creationDate: string;
}

export interface ObjectSummary {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  lastModified: string;
}

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  lastModified: string;
  storageClass?: string;
}

export interface ListPage {
  objects: ListedObject[];
  folders: string[];
  isTruncated: boolean;
  nextCursor?: string;
}

export interface Download {
  body: Readable;
  /** From Content-Length; undefined when the service did not say. */
  size: number | undefined;
}

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';

/** One path segment of a key; `.` and `..` are escaped so that nothing on the way can take them as path syntax. */
function encodeSegment(segment: string): string {
  return segment === '.' || segment === '..' ? segment.replaceAll('.', '%2E') : encodeURIComponent(segment);
}

export function objectPath(bucket: string, key: string): string {
  return `/v1/buckets/${encodeURIComponent(bucket)}/objects/${key.split('/').map(encodeSegment).join('/')}`;
}

export function bucketPath(bucket: string): string {
  return `/v1/buckets/${encodeURIComponent(bucket)}`;
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export class ApiClient {
  readonly endpoint: string;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly agent = new Agent({ connect: { timeout: 10_000 } });
  private readonly auth: Record<string, string>;
  private readonly onRetry: ((notice: string) => void) | undefined;
  private readonly pause = new SharedPause();

  constructor(options: ClientOptions) {
    let url: URL;
    try {
      url = new URL(options.endpoint);
    } catch {
      throw new UsageError(`not an endpoint URL: "${options.endpoint}" (try http://127.0.0.1:9090)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UsageError(`endpoint must be http:// or https://, not "${options.endpoint}"`);
    }
    this.endpoint = options.endpoint;
    this.origin = url.origin;
    // a service behind a reverse proxy may live under a path: http://host/s3gate
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.auth = options.token ? { authorization: `Bearer ${options.token}` } : {};
    this.onRetry = options.onRetry;
  }

  /**
   * Sends the request, again after a 429 or 503 while retry.ts allows; answers with the response whatever
   * its status, or throws UnreachableError (or the ServiceError of a 429/503 not retried, saying why).
   */
  private async send(method: Method, path: string, init: { body?: RequestBody; headers?: Record<string, string> } = {}) {
    const retries = new Map<number, number>(); // status → retries after it so far
    for (;;) {
      await this.pause.over();
      const body = typeof init.body === 'function' ? init.body() : (init.body ?? null);
      const res = await this.sendOnce(method, path, body, init.headers ?? {});
      if (!RETRY_STATUSES.has(res.statusCode)) return res;
      if (body instanceof Readable) body.destroy(); // the rest of this attempt's file is not wanted
      const err = await serviceError(res);
      const done = retries.get(res.statusCode) ?? 0;
      const plan = planRetry(res.statusCode, retryAfterMs(res.headers['retry-after']), done, !(init.body instanceof Readable));
      if ('refusal' in plan) throw new ServiceError(err.code, `${err.detail} (${plan.refusal})`, err.status);
      retries.set(res.statusCode, done + 1);
      if (this.pause.extend(plan.waitMs)) this.onRetry?.(retryNotice(res.statusCode, err, formatWait(this.pause.remainingMs()), done + 1));
    }
  }

  private async sendOnce(method: Method, path: string, body: string | Readable | null, headers: Record<string, string>) {
    try {
      return await this.agent.request({
        origin: this.origin,
        path: this.basePath + path,
        method,
        highWaterMark: STREAM_BUFFER,
        body,
        headers: { ...this.auth, ...headers },
      });
    } catch (err) {
      const code = networkErrorCode(err);
      if (code !== undefined) throw new UnreachableError(this.endpoint, code);
      throw err;
    }
  }

  /** A JSON request; resolves with the parsed answer (undefined for 204), throws ServiceError otherwise. */
  async json<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, {
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
    });
    if (res.statusCode >= 300) throw await serviceError(res);
    if (res.statusCode === 204) {
      await res.body.dump();
      return undefined as T;
    }
    // the shape is the contract of docs/api-v1.md; the service is trusted to keep it
    return (await res.body.json()) as T;
  }

  listBuckets(): Promise<{ buckets: Bucket[] }> {
    return this.json('GET', '/v1/buckets');
  }

  listObjects(bucket: string, params: { prefix?: string; delimiter?: string; cursor?: string }): Promise<ListPage> {
    return this.json('GET', `${bucketPath(bucket)}/objects${query(params)}`);
  }

  /**
   * Streams `body` (exactly `size` bytes, or chunked when the size is unknown) to bucket/key; a function
   * body (a file opened anew) is retried on 429/503, a stream (stdin) is not.
   */
  async upload(bucket: string, key: string, body: Readable | (() => Readable), size: number | undefined, headers: Record<string, string>): Promise<ObjectSummary> {
    const res = await this.send('PUT', objectPath(bucket, key), {
      body,
      headers: size === undefined ? headers : { ...headers, 'content-length': String(size) },
    });
    if (res.statusCode >= 300) throw await serviceError(res);
    return (await res.body.json()) as ObjectSummary;
  }

  async download(bucket: string, key: string): Promise<Download> {
    const res = await this.send('GET', objectPath(bucket, key));
    if (res.statusCode !== 200) throw await serviceError(res);
    const length = Number(res.headers['content-length']);
    return { body: res.body, size: Number.isSafeInteger(length) ? length : undefined };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/** What the user is told of a pause: the service's reason and how long. */
function retryNotice(status: number, err: ServiceError, wait: string, retry: number): string {
  if (status === 429) return `rate limited (${err.message}); waiting ${wait}`;
  return `the service answered ${status} ${STATUS_CODES[status] ?? ''} (${err.message}); retrying in ${wait} (${retry} of ${MAX_RETRIES})`;
}

/** The v1 error `{"error": {"code", "message"}}`, or a code made from the status when the body is not that. */
async function serviceError(res: Dispatcher.ResponseData): Promise<ServiceError> {
  const text = await res.body.text().catch(() => '');
  const statusText = STATUS_CODES[res.statusCode] ?? 'Error';
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const { code, message } = parsed.error ?? {};
    if (typeof code === 'string') {
      return new ServiceError(code, typeof message === 'string' ? message : statusText, res.statusCode);
    }
  } catch {
    // not JSON: a proxy's page or a service without the v1 API; report the status and the first line
  }
  const firstLine = text.split('\n', 1)[0]?.trim().slice(0, 200) || statusText;
  return new ServiceError(`HTTP${res.statusCode}`, firstLine, res.statusCode);
}
