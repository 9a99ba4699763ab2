/**
 * A pass-through that keeps a body within a length range as it streams: past the maximum it errors at once
 * (the client is told while it still sends), short of the minimum it errors at the end; either way before
 * the stream ends, so the store keeps nothing.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { ServiceError } from '../../../errors/codes.js';

export interface LengthBounds {
  min: number;
  max: number;
  tooSmall: () => ServiceError;
  tooLarge: () => ServiceError;
}

class LengthRange extends Transform {
  #seen = 0;

  constructor(private readonly bounds: LengthBounds) {
    super({ highWaterMark: 64 * 1024 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.bounds.max) callback(this.bounds.tooLarge());
    else callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.#seen < this.bounds.min ? this.bounds.tooSmall() : null);
  }
}

/** `body` kept within `bounds`; an error of `body` errors the result too. */
export function withinLength(body: Readable, bounds: LengthBounds): Readable {
  const checked = body.pipe(new LengthRange(bounds));
  body.on('error', (err) => checked.destroy(err));
  return checked;
}
