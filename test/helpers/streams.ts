import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

export async function readAll(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

export function md5Hex(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A stream of `total` pseudo-random bytes in chunks, with its sha256 known only after it is consumed. */
export function randomStream(total: number, chunkSize = 1 << 20): { stream: Readable; digest: () => string } {
  const hash = createHash('sha256');
  let sent = 0;
  let hex: string | undefined;
  const stream = new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const n = Math.min(chunkSize, total - sent);
      const chunk = randomBytes(n);
      hash.update(chunk);
      sent += n;
      this.push(chunk);
    },
  });
  return {
    stream,
    digest: () => (hex ??= hash.digest('hex')),
  };
}

/** A stream that yields `head` and then fails, like a client that disconnects mid-upload. */
export function failingStream(head: Buffer, error = new Error('client went away')): Readable {
  let sentHead = false;
  return new Readable({
    read() {
      if (!sentHead) {
        sentHead = true;
        this.push(head);
        return;
      }
      setTimeout(() => this.destroy(error), 10);
    },
  });
}
