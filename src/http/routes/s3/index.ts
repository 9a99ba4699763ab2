/**
 * The S3-compatible API: S3's REST protocol on its own listener, over the same core as the other faces.
 * One route takes every request; the dispatcher picks the operation from the method, the address
 * (path-style or virtual-hosted-style), the query's subresources and a few headers. Errors are S3's XML.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../../../errors/codes.js';
import { sendShapedError } from '../../errors.js';
import { acceptRawBodies } from '../../body.js';
import type { FaceShape } from '../../face-shapes.js';
import { requestSignal } from '../../request-signal.js';
import { addressOf } from './address.js';
import type { S3Call, S3FaceOptions } from './context.js';
import { chooseOperation } from './dispatch.js';
import { XML_ERRORS } from './errors.js';
import { S3_OPERATIONS } from './ops/index.js';
import { isBrowserUpload } from './ops/post-object.js';

export type { S3FaceOptions } from './context.js';

/** Every path of the S3 listener is the S3 face's. */
export const S3_FACE: FaceShape = { prefix: '', shape: XML_ERRORS };

export const sendXmlError = (err: unknown, request: FastifyRequest, reply: FastifyReply) => sendShapedError(XML_ERRORS, err, request, reply);

/** POST has routes of its own: a browser upload among POSTs comes without a signature (its form carries one). */
const METHODS = ['GET', 'HEAD', 'PUT', 'DELETE'];

export async function s3Routes(app: FastifyInstance, options: S3FaceOptions): Promise<void> {
  acceptRawBodies(app);
  app.setErrorHandler(sendXmlError);

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const url = request.url;
    const q = url.indexOf('?');
    const { bucket, key } = addressOf(request.headers.host, q < 0 ? url : url.slice(0, q), options.domain);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    const target = key !== undefined ? 'object' : bucket !== undefined ? 'bucket' : 'service';
    const operation = chooseOperation(S3_OPERATIONS, { method: request.method, target, query, headers: request.headers });
    request.routeLabel = `s3 ${operation.name}`;
    const call: S3Call = { request, reply, options, store: options.store, bucket, key, query, signal: requestSignal(request, reply) };
    // the dispatcher chose by target, so the call names what the operation needs
    if (operation.target === 'service') return operation.handle(call);
    if (bucket === undefined) throw new ServiceError('InvalidRequest', 'The request names no bucket.');
    if (operation.target === 'bucket') return operation.handle({ ...call, bucket });
    if (key === undefined) throw new ServiceError('InvalidRequest', 'The request names no key.');
    return operation.handle({ ...call, bucket, key });
  };
  app.route({ method: METHODS, url: '/', handler });
  app.route({ method: METHODS, url: '/*', handler });
  const config = { public: (request: FastifyRequest) => isBrowserUpload(request, options.domain) };
  app.route({ method: 'POST', url: '/', handler, config });
  app.route({ method: 'POST', url: '/*', handler, config });
}
