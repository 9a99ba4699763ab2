/**
 * A light SigV4 signer for the load generator: header signatures and aws-chunked signed bodies, the same
 * signing for every S3 server the benchmarks drive. Written for the benchmarks (the SDK's signer costs more
 * per request than the servers being measured); signatures are checked by the servers themselves.
 */
import { createHash, createHmac } from 'node:crypto';
import { Readable } from 'node:stream';

export interface SigningKeyPair {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text).digest();

export const EMPTY_SHA256 = sha256('');

interface Scope {
  amzDate: string;
  scope: string;
  key: Buffer;
}

export class LightSigner {
  #cached: { second: number; scope: Scope } | undefined;

  constructor(private readonly pair: SigningKeyPair) {}

  /** The time, scope and signing key of this second (the key changes once a day). */
  #scope(): Scope {
    const second = Math.floor(Date.now() / 1000);
    if (this.#cached?.second === second) return this.#cached.scope;
    const amzDate = new Date(second * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const day = amzDate.slice(0, 8);
    const scope = `${day}/${this.pair.region}/s3/aws4_request`;
    const previous = this.#cached?.scope;
    const key =
      previous && previous.scope === scope
        ? previous.key
        : hmac(hmac(hmac(hmac(`AWS4${this.pair.secretAccessKey}`, day), this.pair.region), 's3'), 'aws4_request');
    this.#cached = { second, scope: { amzDate, scope, key } };
    return this.#cached.scope;
  }

  /**
   * Headers that sign `method host path` (path already URI-encoded) with `payloadHash`; `query`: the
   * canonical query (names sorted, values URI-encoded), as the request sends it.
   */
  sign(method: string, host: string, path: string, payloadHash: string, extra: Record<string, string> = {}, query = ''): { headers: Record<string, string>; signature: string; scope: Scope } {
    const scope = this.#scope();
    const headers: Record<string, string> = { ...extra, host, 'x-amz-content-sha256': payloadHash, 'x-amz-date': scope.amzDate };
    const names = Object.keys(headers).map((n) => n.toLowerCase()).sort();
    const lower = Object.fromEntries(Object.entries(headers).map(([n, v]) => [n.toLowerCase(), v]));
    const canonical = [method, path, query, ...names.map((n) => `${n}:${String(lower[n]).trim()}`), '', names.join(';'), payloadHash].join('\n');
    const toSign = ['AWS4-HMAC-SHA256', scope.amzDate, scope.scope, sha256(canonical)].join('\n');
    const signature = hmac(scope.key, toSign).toString('hex');
    headers['authorization'] = `AWS4-HMAC-SHA256 Credential=${this.pair.accessKeyId}/${scope.scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
    delete headers['host']; // the HTTP client sends it
    return { headers, signature, scope };
  }

  /**
   * A PUT of `size` bytes from `source` as STREAMING-AWS4-HMAC-SHA256-PAYLOAD in chunks of `chunkSize`: the
   * headers to send and the encoded body, each chunk signed after the one before.
   */
  signedChunks(host: string, path: string, size: number, source: Readable, chunkSize: number): { headers: Record<string, string>; body: Readable } {
    const chunks = Math.ceil(size / chunkSize);
    const sigLine = (n: number) => n.toString(16).length + ';chunk-signature='.length + 64 + 2;
    const last = size - (chunks - 1) * chunkSize;
    const encodedLength = (chunks - 1) * (sigLine(chunkSize) + chunkSize + 2) + (chunks > 0 ? sigLine(last) + last + 2 : 0) + sigLine(0) + 2;
    const { headers, signature, scope } = this.sign('PUT', host, path, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', {
      'content-encoding': 'aws-chunked',
      'content-length': String(encodedLength),
      'x-amz-decoded-content-length': String(size),
    });
    let previous = signature;
    const frame = (data: Buffer) => {
      const toSign = ['AWS4-HMAC-SHA256-PAYLOAD', scope.amzDate, scope.scope, previous, EMPTY_SHA256, sha256(data)].join('\n');
      previous = hmac(scope.key, toSign).toString('hex');
      return Buffer.concat([Buffer.from(`${data.length.toString(16)};chunk-signature=${previous}\r\n`), data, Buffer.from('\r\n')]);
    };
    async function* encode() {
      let pending: Buffer = Buffer.alloc(0);
      for await (const piece of source) {
        pending = pending.length === 0 ? (piece as Buffer) : Buffer.concat([pending, piece as Buffer]);
        while (pending.length >= chunkSize) {
          yield frame(pending.subarray(0, chunkSize));
          pending = pending.subarray(chunkSize);
        }
      }
      if (pending.length > 0) yield frame(pending);
      yield frame(Buffer.alloc(0));
    }
    return { headers, body: Readable.from(encode(), { objectMode: false }) };
  }
}
