/**
 * PostObject: a browser upload, an HTML form POSTed to the bucket as multipart/form-data. The form carries
 * its own proof (a policy signed with SigV4 or SigV2, post-signature.ts) instead of an Authorization header, so the
 * route lets such requests in unsigned (isBrowserUpload) and the operation checks the policy and every one
 * of its conditions (post-policy.ts) before the file reaches the store. The file streams straight into the
 * store, kept within the policy's content-length-range as it flows.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { assertAllowed } from '../../../../auth/authorize.js';
import { uriEncode } from '../../../../auth/sigv4/canonical.js';
import { ServiceError } from '../../../../errors/codes.js';
import { checkChecksumValue } from '../../../../storage/checksums.js';
import { CHECKSUM_ALGORITHMS, type Checksums, type Tags } from '../../../../storage/types.js';
import { limitedBody } from '../../../body.js';
import { keptHeaders, userMetadata } from '../../../objects/metadata.js';
import { addressOf } from '../address.js';
import { unofferedHeaderRefusal } from '../dispatch.js';
import { encryptionHeaders, encryptionRequestFrom, transportOf } from '../sse.js';
import type { BucketCall } from '../context.js';
import { withinLength } from '../length-range.js';
import type { S3Operation } from '../operation.js';
import { MAX_FIELDS_BYTES, readForm, type BrowserForm } from '../post-form.js';
import { checkPolicy, readPolicy, type LengthRange } from '../post-policy.js';
import { hasSignedPolicy, verifyPolicySignature } from '../post-signature.js';
import { sendXml } from '../xml.js';
import { assertOwnerOnly, integrityFor } from './common.js';
import { tagsFromDocument } from './tagging-xml.js';

/**
 * A file beyond the policy's content-length-range: S3 answers 400 as for one below it (the form broke its
 * own policy), not the 413 of a body beyond what the service takes at all.
 */
class BeyondPolicyRange extends ServiceError {
  constructor() {
    super('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size.');
  }

  override get status(): number {
    return 400;
  }
}

/** Tags from the form's `tagging` field: a Tagging document, as in PutObjectTagging. */
const tagsOfField = (document: string | undefined): Tags | undefined => (document === undefined ? undefined : tagsFromDocument(document));

const isFormData = (contentType: string | undefined) => contentType?.toLowerCase().trimStart().startsWith('multipart/form-data') === true;

/**
 * Whether a request is a browser upload: a multipart/form-data POST to a bucket, without a query. Only
 * those may arrive without a signature (their form is checked by the operation); every other POST needs one.
 */
export function isBrowserUpload(request: FastifyRequest, domain: string): boolean {
  if (request.method !== 'POST' || !isFormData(request.headers['content-type']) || request.url.includes('?')) return false;
  try {
    const { bucket, key } = addressOf(request.headers.host, request.url, domain);
    return bucket !== undefined && key === undefined;
  } catch {
    return false;
  }
}

/** The form's x-amz-checksum-<algorithm> fields, each checked for its form. */
function checksumsOf(fields: ReadonlyMap<string, string>): Checksums | undefined {
  const found: Checksums = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = fields.get(`x-amz-checksum-${algorithm.toLowerCase()}`);
    if (value === undefined) continue;
    checkChecksumValue(algorithm, value);
    found[algorithm] = value;
  }
  return Object.keys(found).length > 0 ? found : undefined;
}

/** The key the form names, its `${filename}` replaced by the file's name. */
function keyOf(form: BrowserForm): string {
  const key = form.fields.get('key');
  if (key === undefined) {
    throw new ServiceError('InvalidArgument', "Bucket POST must contain a field named 'key'. If it is specified, please check the order of the fields.");
  }
  return key.replaceAll('${filename}', form.filename);
}

/**
 * With keys, the form's signed policy is the caller's only proof: its key becomes the principal (a header
 * signature, meant for other requests, is not taken for one), then the policy must hold. Without keys the
 * form is taken as it is, like every request of such a service.
 */
function authorize(call: BucketCall, form: BrowserForm, key: string): LengthRange | undefined {
  const { request, options } = call;
  const refused = unofferedHeaderRefusal(form.fields.keys());
  if (refused) throw refused;
  let range: LengthRange | undefined;
  if (options.keys && request.keyed) {
    request.principal = undefined;
    if (hasSignedPolicy(form.fields)) {
      request.principal = verifyPolicySignature(form.fields, options.keys);
      const inputs = new Map(form.fields);
      inputs.delete('bucket'); // the bucket posted to is the one checked, whatever the form says
      inputs.set('bucket', call.bucket);
      inputs.set('key', key);
      range = checkPolicy(readPolicy(form.fields.get('policy') ?? ''), inputs, new Date());
    }
  }
  assertAllowed(request, 'write', call.bucket, key);
  return range;
}

/** Where the object can be read: the URL posted to, with the key after the bucket. */
function objectUrl(request: FastifyRequest, key: string): string {
  const path = request.url.endsWith('/') ? request.url : `${request.url}/`;
  return `${request.protocol}://${request.headers.host ?? 'localhost'}${path}${uriEncode(key, true)}`;
}

/** success_action_redirect as a URL to send the browser to, or undefined when it is absent or not a web URL (S3 then ignores it). */
function redirectOf(fields: ReadonlyMap<string, string>): URL | undefined {
  const target = fields.get('success_action_redirect') ?? fields.get('redirect');
  if (target === undefined) return undefined;
  try {
    const url = new URL(target);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function answer(call: BucketCall, fields: ReadonlyMap<string, string>, key: string, etag: string): unknown {
  const location = objectUrl(call.request, key);
  const reply = call.reply.header('etag', etag).header('location', location);
  const redirect = redirectOf(fields);
  if (redirect) {
    redirect.searchParams.append('bucket', call.bucket);
    redirect.searchParams.append('key', key);
    redirect.searchParams.append('etag', etag);
    return reply.code(303).header('location', redirect.toString()).send();
  }
  const status = fields.get('success_action_status');
  if (status === '200') return reply.code(200).send();
  if (status === '201') return sendXml(reply.code(201), 'PostResponse', { Location: location, Bucket: call.bucket, Key: key, ETag: etag });
  return reply.code(204).send(); // S3's answer to any other value
}

export const POST_OBJECT_OPERATIONS: readonly S3Operation[] = [
  {
    name: 'PostObject',
    method: 'POST',
    target: 'bucket',
    async handle(call) {
      const { request, store, bucket } = call;
      if (!isFormData(request.headers['content-type'])) {
        throw new ServiceError('MalformedPOSTRequest', 'A POST to a bucket is a browser upload: its body must be multipart/form-data.');
      }
      const limit = call.options.maxObjectSize;
      // the fields and the form's framing come on top of the file
      const form = await readForm(request, limitedBody(request, limit + MAX_FIELDS_BYTES + 64 * 1024));
      const key = keyOf(form);
      const range = authorize(call, form, key);
      assertOwnerOnly(form.fields.get('acl'), form.fields.keys());
      const asHeaders: IncomingHttpHeaders = Object.fromEntries(form.fields);
      const body = withinLength(form.file, {
        min: range?.min ?? 0,
        max: Math.min(range?.max ?? Infinity, limit),
        tooSmall: () => new ServiceError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size.'),
        tooLarge: () =>
          range && range.max <= limit
            ? new BeyondPolicyRange()
            : new ServiceError('EntityTooLarge', `The body is larger than the limit of ${limit} bytes.`),
      });
      const meta = await store.putObject({
        bucket,
        key,
        ...keptHeaders(asHeaders),
        metadata: userMetadata(asHeaders),
        tags: tagsOfField(form.fields.get('tagging')),
        ...integrityFor(store, body, checksumsOf(form.fields), undefined),
        encryption: encryptionRequestFrom((name) => form.fields.get(name), transportOf(call)),
        signal: call.signal,
      });
      call.reply.headers(encryptionHeaders(meta.encryption));
      return answer(call, form.fields, key, meta.etag);
    },
  },
];
