/**
 * The tutorial-compatible API: the seven routes of the "Amazon S3 Object Service"
 * tutorial under /amazons3/imageStore, with its bodies and JSON shapes kept and its defects fixed:
 * bodies stream byte-for-byte, the stored Content-Type is served by default, keys may contain "/",
 * and errors carry their real status with the message as text/plain.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { assertAllowed } from '../../auth/authorize.js';
import { ServiceError } from '../../errors/codes.js';
import { noSuchKey } from '../../errors/not-found.js';
import type { ObjectStore, ObjectSummary } from '../../storage/types.js';
import { acceptRawBodies, declaredLength, limitedBody } from '../body.js';
import { notFound, sendTextError } from '../errors.js';
import { TEXT_ERRORS, type FaceShape } from '../face-shapes.js';
import { isMediaType, storedObjectHeaders } from '../media-type.js';
import { keptHeaders } from '../objects/metadata.js';
import { requestSignal } from '../request-signal.js';
import { allowOnly } from '../methods.js';

/** Where the tutorial's API is served; its errors are plain text, as the tutorial's were. */
export const TUTORIAL_PREFIX = '/amazons3/imageStore';
export const TUTORIAL_FACE: FaceShape = { prefix: TUTORIAL_PREFIX, shape: TEXT_ERRORS };

export interface TutorialOptions {
  store: ObjectStore;
  maxObjectSize: number;
}

type BucketParams = { bucket: string };
type ObjectParams = { bucket: string; '*': string };

function bucketOf(request: FastifyRequest): string {
  return (request.params as BucketParams).bucket;
}

function objectOf(request: FastifyRequest): { bucket: string; key: string } {
  const { bucket, '*': key } = request.params as ObjectParams;
  return { bucket, key };
}

function text(reply: FastifyReply, body: string): FastifyReply {
  return reply.type('text/plain; charset=utf-8').send(body);
}

/** The tutorial's object listing entry: objectSize is a string and eTag keeps its quotes. */
function listingEntry(o: ObjectSummary) {
  return {
    objectName: o.key,
    lastModified: o.lastModified.toISOString(),
    eTag: o.etag,
    objectSize: String(o.size),
    ownerId: o.ownerId ?? null,
    ownerDisplayName: o.ownerDisplayName ?? null,
    storageClass: o.storageClass,
  };
}

/** Every key of a bucket as one JSON array, fetched page by page while it is sent. */
async function objectListing(store: ObjectStore, bucket: string, signal: AbortSignal): Promise<Readable> {
  // the first page is fetched before answering, so a missing bucket still gets its 404
  const first = await store.listObjects({ bucket, signal });
  async function* pages() {
    let page = first;
    let separator = '[';
    for (;;) {
      const items = page.objects.map((o) => JSON.stringify(listingEntry(o)));
      if (items.length > 0) {
        yield separator + items.join(',');
        separator = ',';
      }
      if (!page.isTruncated || !page.nextContinuationToken) break;
      page = await store.listObjects({ bucket, continuationToken: page.nextContinuationToken, signal });
    }
    yield separator === '[' ? '[]' : ']';
  }
  return Readable.from(pages());
}

function responseTypeOf(request: FastifyRequest): string | undefined {
  const value = (request.query as Record<string, unknown>)['responseContentType'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isMediaType(value)) {
    throw new ServiceError(
      'InvalidArgument',
      'responseContentType must be one media type such as image/png or application/json.',
    );
  }
  return value;
}

export async function tutorialRoutes(app: FastifyInstance, opts: TutorialOptions): Promise<void> {
  const { store } = opts;
  acceptRawBodies(app);
  app.setErrorHandler(sendTextError);
  app.setNotFoundHandler((request, reply) =>
    sendTextError(notFound(`${request.method} ${request.url}`), request, reply),
  );

  app.get('/', async (request, reply) => {
    assertAllowed(request, 'list');
    const buckets = await store.listBuckets({ signal: requestSignal(request, reply) });
    return reply.send(buckets.map((b) => ({ name: b.name, creationDate: b.creationDate.toISOString() })));
  });

  app.post('/:bucket', async (request, reply) => {
    const bucket = bucketOf(request);
    assertAllowed(request, 'admin', bucket);
    await store.createBucket({ bucket, signal: requestSignal(request, reply) });
    return text(reply, `${bucket} created on Amazon S3.`);
  });

  app.get('/:bucket', async (request, reply) => {
    const bucket = bucketOf(request);
    assertAllowed(request, 'list', bucket, '');
    const listing = await objectListing(store, bucket, requestSignal(request, reply));
    return reply.type('application/json; charset=utf-8').send(listing);
  });

  app.delete('/:bucket', async (request, reply) => {
    const bucket = bucketOf(request);
    assertAllowed(request, 'admin', bucket);
    await store.deleteBucket({ bucket, signal: requestSignal(request, reply) });
    return text(reply, `${bucket} deleted from Amazon S3.`);
  });

  app.post('/:bucket/*', async (request, reply) => {
    const { bucket, key } = objectOf(request);
    assertAllowed(request, 'write', bucket, key);
    const kept = keptHeaders(request.headers); // before the body: a bad header must not cost an upload
    const body = limitedBody(request, opts.maxObjectSize);
    await store.putObject({
      bucket,
      key,
      body,
      ...kept,
      contentLength: declaredLength(request),
      signal: requestSignal(request, reply),
    });
    return text(reply, `${key} created on Amazon S3 bucket : ${bucket}.`);
  });

  app.get('/:bucket/*', { exposeHeadRoute: false }, async (request, reply) => {
    const { bucket, key } = objectOf(request);
    assertAllowed(request, 'read', bucket, key);
    const responseType = responseTypeOf(request);
    const { meta, body, bytes } = await store.getObject({ bucket, key, signal: requestSignal(request, reply) });
    return reply.headers(storedObjectHeaders(meta, responseType)).send(bytes ?? body);
  });

  app.head('/:bucket/*', async (request, reply) => {
    const { bucket, key } = objectOf(request);
    assertAllowed(request, 'read', bucket, key);
    const responseType = responseTypeOf(request);
    const meta = await store.headObject({ bucket, key, signal: requestSignal(request, reply) });
    return reply.headers(storedObjectHeaders(meta, responseType)).send();
  });

  app.delete('/:bucket/*', async (request, reply) => {
    const { bucket, key } = objectOf(request);
    assertAllowed(request, 'delete', bucket, key);
    const existed = await store.deleteObject({ bucket, key, signal: requestSignal(request, reply) });
    if (!existed) throw noSuchKey(bucket, key);
    return text(reply, `${key} deleted from Amazon S3 bucket : ${bucket}.`);
  });

  allowOnly(app, '/', ['GET']);
  allowOnly(app, '/:bucket', ['GET', 'POST', 'DELETE']);
  allowOnly(app, '/:bucket/*', ['GET', 'HEAD', 'POST', 'DELETE']);
}
