/**
 * A pass-through that digests the bytes and checks the digest before the stream ends: a mismatch errors the
 * stream, so the store, which keeps a body only once it has ended, keeps nothing.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';

export interface DigestCheck {
  update(chunk: Buffer): void;
  /** Throws (or rejects) when the digest is not the one announced. */
  verify(): void | Promise<void>;
}

class VerifyAtEnd extends Transform {
  constructor(private readonly check: DigestCheck) {
    super({ highWaterMark: 64 * 1024 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.check.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    Promise.resolve()
      .then(() => this.check.verify())
      .then(() => callback(), callback);
  }
}

/** `body` through `check`; an error of `body` errors the result too. */
export function verifiedAtEnd(body: Readable, check: DigestCheck): Readable {
  const checked = body.pipe(new VerifyAtEnd(check));
  body.on('error', (err) => checked.destroy(err));
  return checked;
}
