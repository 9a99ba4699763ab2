/**
 * Which bucket and key an S3 request names: path-style (`/bucket/key`) or virtual-hosted-style
 * (`bucket.<domain>/key`), the path percent-decoded once ('+' stays a plus, as S3 reads paths).
 */
import { ServiceError } from '../../../errors/codes.js';

export interface S3Address {
  bucket: string | undefined;
  key: string | undefined;
}

/** The host without its port, lower-cased; IPv6 literals keep their brackets. */
function hostName(host: string | undefined): string {
  if (host === undefined) return '';
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
  return name.toLowerCase();
}

function decoded(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    throw new ServiceError('InvalidURI', 'Could not parse the specified URI: it holds a malformed percent-encoding.');
  }
}

export function addressOf(host: string | undefined, rawPath: string, domain: string): S3Address {
  const name = hostName(host);
  const path = decoded(rawPath);
  if (!path.startsWith('/')) throw new ServiceError('InvalidURI', 'Could not parse the specified URI.');
  const suffix = `.${domain}`;
  if (name.endsWith(suffix) && name.length > suffix.length) {
    const key = path.slice(1);
    return { bucket: name.slice(0, -suffix.length), key: key === '' ? undefined : key };
  }
  const slash = path.indexOf('/', 1);
  if (slash < 0) return { bucket: path.length > 1 ? path.slice(1) : undefined, key: undefined };
  const key = path.slice(slash + 1);
  return { bucket: path.slice(1, slash), key: key === '' ? undefined : key };
}
