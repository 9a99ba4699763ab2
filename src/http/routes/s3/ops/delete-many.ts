/**
 * DeleteObjects (POST ?delete): up to 1,000 keys in one request, each answered on its own: deleted (as S3
 * says of a key that was not there too) or refused with its error, a key the caller may not delete among
 * them. Quiet mode answers the refusals only.
 */
import { Readable } from 'node:stream';
import { assertAllowed } from '../../../../auth/authorize.js';
import { ServiceError } from '../../../../errors/codes.js';
import { errorView } from '../../../errors.js';
import type { BucketCall } from '../context.js';
import type { S3Operation } from '../operation.js';
import { childrenOf, listOf, parseXml, sendXml, textOf } from '../xml.js';
import { readDocument } from './request-document.js';

const MAX_DELETE_KEYS = 1000;
/** Deletions in flight at once: on the s3 store each is a round trip. */
const CONCURRENCY = 8;
/** The one version of an unversioned object. */
const NULL_VERSION = 'null';

interface Named {
  key: string;
  versionId: string | undefined;
}

type Outcome = { deleted: Named } | { refused: Named & { code: string; message: string } };

function readRequest(text: string): { quiet: boolean; objects: Named[] } {
  const root = parseXml(text, 'Delete');
  const objects = listOf(root['Object']).map((node) => {
    const fields = childrenOf(node);
    const key = textOf(fields['Key']);
    if (key === undefined) throw new ServiceError('MalformedXML', 'Each <Object> of a delete must name its <Key>.');
    return { key, versionId: textOf(fields['VersionId']) };
  });
  if (objects.length === 0 || objects.length > MAX_DELETE_KEYS) {
    throw new ServiceError('MalformedXML', `A delete must name from 1 to ${MAX_DELETE_KEYS} objects; this one names ${objects.length}.`);
  }
  return { quiet: textOf(root['Quiet'])?.trim().toLowerCase() === 'true', objects };
}

/** The caller's right to delete the key, checked before anything is asked of the store. */
function refusalOf(call: BucketCall, named: Named): Outcome | undefined {
  try {
    assertAllowed(call.request, 'delete', call.bucket, named.key);
    return undefined;
  } catch (err) {
    const { code, message } = errorView(err);
    return { refused: { ...named, code, message } };
  }
}

async function deleteOne(call: BucketCall, named: Named): Promise<Outcome> {
  try {
    if (named.versionId !== undefined && named.versionId !== NULL_VERSION) {
      throw new ServiceError('NoSuchVersion', 'The specified version does not exist.');
    }
    await call.store.deleteObject({ bucket: call.bucket, key: named.key, signal: call.signal });
    return { deleted: named };
  } catch (err) {
    const { status, code, message } = errorView(err);
    if (status >= 500) call.request.log.error({ err, key: named.key }, 'a key of a DeleteObjects failed');
    return { refused: { ...named, code, message } };
  }
}

const withVersion = (named: Named) => ({ Key: named.key, ...(named.versionId !== undefined && { VersionId: named.versionId }) });

export const DELETE_MANY_OPERATIONS: readonly S3Operation[] = [
  {
    name: 'DeleteObjects',
    method: 'POST',
    target: 'bucket',
    query: 'delete',
    async handle(call) {
      const { quiet, objects } = readRequest(await readDocument(call, { integrityRequired: true }));
      const refusals = objects.map((named) => refusalOf(call, named));
      // a missing bucket fails the whole request, but only for a caller who may delete something in it
      if (refusals.some((refused) => refused === undefined)) await call.store.headBucket({ bucket: call.bucket, signal: call.signal });
      const outcomes: Outcome[] = await Readable.from(objects.map((named, i) => ({ named, refused: refusals[i] })))
        .map(({ named, refused }: { named: Named; refused: Outcome | undefined }) => refused ?? deleteOne(call, named), { concurrency: CONCURRENCY, signal: call.signal })
        .toArray();
      const deleted = quiet ? [] : outcomes.flatMap((o) => ('deleted' in o ? [withVersion(o.deleted)] : []));
      const errors = outcomes.flatMap((o) => ('refused' in o ? [{ ...withVersion(o.refused), Code: o.refused.code, Message: o.refused.message }] : []));
      return sendXml(call.reply, 'DeleteResult', { Deleted: deleted, Error: errors });
    },
  },
];
