/**
 * Decodes an aws-chunked body (`<hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n ... 0...\r\n[trailers]\r\n`)
 * as it streams: each chunk's signature is checked against the chain that starts at the request's own
 * signature, the trailing checksum against the bytes, and the length against x-amz-decoded-content-length.
 * A failure errors the stream, so the store keeps nothing. Bytes pass through as they come, never gathered.
 * Written by hand: no library decodes S3's chunked bodies on the server.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ServiceError } from '../../errors/codes.js';
import { ChecksumSet, checkChecksumValue, isChecksumAlgorithm, verifyChecksums } from '../../storage/checksums.js';
import type { ChecksumAlgorithm } from '../../storage/types.js';
import { sha256Hex } from './canonical.js';
import { sameSignature, signatureOf } from './signing-key.js';
import type { SigningChain } from './verify.js';

const EMPTY_SHA256 = sha256Hex('');
/** Longer chunk-header or trailer lines are not S3's: refused rather than gathered. */
const MAX_LINE = 4096;

export interface ChunkedOptions {
  /** Set when chunks are signed: the chain their signatures continue. */
  chain?: SigningChain | undefined;
  /** The trailer announced in x-amz-trailer (x-amz-checksum-<algorithm>), when there is one. */
  trailer?: string | undefined;
  /** x-amz-decoded-content-length, when given. */
  decodedLength?: number | undefined;
}

/** size: a chunk's header line; data: its bytes; dataEnd: the CRLF after them; trailer: lines after the last. */
type State = 'size' | 'data' | 'dataEnd' | 'trailer' | 'done';

function malformed(why: string): ServiceError {
  return new ServiceError('IncompleteBody', `The aws-chunked body is malformed: ${why}.`);
}

/** The checksum algorithm an x-amz-trailer names, or a clear refusal. */
export function trailerAlgorithm(trailer: string): ChecksumAlgorithm {
  const name = trailer.trim().toLowerCase();
  const algorithm = name.startsWith('x-amz-checksum-') ? name.slice('x-amz-checksum-'.length).toUpperCase() : '';
  if (!isChecksumAlgorithm(algorithm)) {
    throw new ServiceError('InvalidRequest', `The trailer "${trailer}" is not supported: send x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1 or -sha256.`);
  }
  return algorithm;
}

export class ChunkedDecoder extends Transform {
  readonly #chain: SigningChain | undefined;
  readonly #trailerName: string | undefined;
  readonly #algorithm: ChecksumAlgorithm | undefined;
  readonly #checksum: ChecksumSet | undefined;
  readonly #decodedLength: number | undefined;
  #state: State = 'size';
  #line = Buffer.alloc(0);
  #left = 0;
  #chunkSignature = '';
  #chunkHash: Hash | undefined;
  #previousSignature: string;
  #decoded = 0;
  #trailers = new Map<string, string>();
  /** The trailing checksum once it has been checked (base64), for the store to keep. */
  verifiedChecksum: string | undefined;

  constructor(options: ChunkedOptions) {
    super();
    this.#chain = options.chain;
    this.#previousSignature = options.chain?.seedSignature ?? '';
    this.#trailerName = options.trailer?.trim().toLowerCase();
    this.#algorithm = options.trailer === undefined ? undefined : trailerAlgorithm(options.trailer);
    this.#checksum = this.#algorithm ? new ChecksumSet([this.#algorithm]) : undefined;
    this.#decodedLength = options.decodedLength;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#consume(chunk);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.#state !== 'done') return callback(malformed('it ended before its last chunk'));
    this.#finish().then(() => callback(), callback);
  }

  #consume(input: Buffer): void {
    let at = 0;
    while (at < input.length) {
      if (this.#state === 'data') {
        const take = Math.min(this.#left, input.length - at);
        const bytes = input.subarray(at, at + take);
        this.#chunkHash?.update(bytes);
        this.#checksum?.update(bytes);
        this.push(bytes);
        this.#left -= take;
        this.#decoded += take;
        at += take;
        if (this.#left === 0) this.#state = 'dataEnd';
        continue;
      }
      if (this.#state === 'done') {
        if (input.subarray(at).toString('latin1').trim() !== '') throw malformed('bytes follow its last chunk');
        return;
      }
      // the other states read one line at a time
      const end = input.indexOf(0x0a, at);
      const upTo = end < 0 ? input.length : end + 1;
      this.#line = Buffer.concat([this.#line, input.subarray(at, upTo)]);
      if (this.#line.length > MAX_LINE) throw malformed('a line is too long');
      at = upTo;
      if (end < 0) return;
      const line = this.#line.toString('latin1').replace(/\r?\n$/, '');
      this.#line = Buffer.alloc(0);
      this.#onLine(line);
    }
  }

  #onLine(line: string): void {
    if (this.#state === 'dataEnd') {
      if (line !== '') throw malformed('a chunk is longer than its size says');
      this.#endOfChunk();
      this.#state = 'size';
    } else if (this.#state === 'size') {
      this.#startChunk(line);
    } else if (this.#state === 'trailer') {
      if (line === '') this.#state = 'done';
      else {
        const colon = line.indexOf(':');
        if (colon <= 0) throw malformed('a trailer line is not "name:value"');
        this.#trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
    }
  }

  #startChunk(line: string): void {
    const [sizeText = '', ...extensions] = line.split(';');
    if (!/^[0-9a-fA-F]{1,12}$/.test(sizeText)) throw malformed('a chunk size is not hexadecimal');
    this.#left = parseInt(sizeText, 16);
    const signature = extensions.find((e) => e.startsWith('chunk-signature='))?.slice('chunk-signature='.length);
    if (this.#chain && signature === undefined) throw new ServiceError('SignatureDoesNotMatch', 'A chunk of the body has no signature.');
    this.#chunkSignature = signature ?? '';
    this.#chunkHash = this.#chain ? createHash('sha256') : undefined;
    if (this.#left > 0) {
      this.#state = 'data';
      return;
    }
    // the last chunk has no bytes and no CRLF of its own: trailer lines (if any) and an empty line follow
    this.#endOfChunk();
    this.#state = 'trailer';
  }

  #endOfChunk(): void {
    if (!this.#chain) return;
    const toSign = [
      'AWS4-HMAC-SHA256-PAYLOAD',
      this.#chain.amzDate,
      this.#chain.scope,
      this.#previousSignature,
      EMPTY_SHA256,
      this.#chunkHash?.digest('hex') ?? EMPTY_SHA256,
    ].join('\n');
    if (!sameSignature(signatureOf(this.#chain.key, toSign), this.#chunkSignature.toLowerCase())) {
      throw new ServiceError('SignatureDoesNotMatch', 'The signature of a chunk of the body does not match: the upload is refused.');
    }
    this.#previousSignature = this.#chunkSignature.toLowerCase();
  }

  async #finish(): Promise<void> {
    if (this.#decodedLength !== undefined && this.#decoded !== this.#decodedLength) {
      throw new ServiceError('IncompleteBody', `The body has ${this.#decoded} bytes, not the ${this.#decodedLength} x-amz-decoded-content-length announced.`);
    }
    if (this.#trailerName === undefined || !this.#algorithm || !this.#checksum) {
      if (this.#trailers.size > 0) throw malformed('it has trailers that x-amz-trailer did not announce');
      return;
    }
    if (this.#chain) this.#checkTrailerSignature();
    const value = this.#trailers.get(this.#trailerName);
    if (value === undefined) throw malformed(`the trailer ${this.#trailerName} announced by x-amz-trailer is missing`);
    checkChecksumValue(this.#algorithm, value);
    verifyChecksums({ [this.#algorithm]: value }, await this.#checksum.finish());
    this.verifiedChecksum = value;
  }

  #checkTrailerSignature(): void {
    const chain = this.#chain;
    if (!chain) return;
    const signature = this.#trailers.get('x-amz-trailer-signature');
    if (signature === undefined) throw new ServiceError('SignatureDoesNotMatch', 'The trailer of the body has no signature.');
    const signed = [...this.#trailers].filter(([name]) => name !== 'x-amz-trailer-signature').map(([name, value]) => `${name}:${value}\n`).join('');
    const toSign = ['AWS4-HMAC-SHA256-TRAILER', chain.amzDate, chain.scope, this.#previousSignature, sha256Hex(signed)].join('\n');
    if (!sameSignature(signatureOf(chain.key, toSign), signature.toLowerCase())) {
      throw new ServiceError('SignatureDoesNotMatch', 'The signature of the body\'s trailer does not match: the upload is refused.');
    }
  }
}
