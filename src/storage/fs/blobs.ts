/**
 * Blob files: the bytes of each object version live in blobs/<xx>/<id>, a file written once under a fresh
 * random id and never modified, so a reader holding it open always sees one whole version.
 *
 * A new blob is unreferenced until its row is committed; until then its id is in `inFlight`, which keeps the
 * recovery sweep away from it. When durable, the data is fdatasync'ed and the shard folder fsync'ed before the
 * caller may commit a row naming it. Ids come from this module only; keys never become paths.
 *
 * Each 1 MiB written is first admitted against the free-space floor (space.ts), so a long upload stops with
 * 507 before it eats the room kept for deletes; a file system that refuses a write (ENOSPC) gives 507 too.
 * Either way the partial file is deleted.
 */
import { createHash, randomBytes, type Cipher } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, open, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { isServiceError, ServiceError } from '../../errors/codes.js';
import type { ChecksumSet } from '../checksums.js';
import { encryptor, IV_BYTES, newIv } from '../encryption/index.js';
import { NotDurable } from './commits.js';
import { fsyncDir } from './format.js';
import { Md5Job } from './md5-pool.js';
import type { DiskSpace } from './space.js';

/** Writes and reads go in 1 MiB pieces: 3× the throughput of Node's 64 KiB default on these machines. */
export const IO_BUFFER = 1 << 20;
const ID = /^[0-9a-f]{32}$/;

/** A body someone already started to read: its iterator, and the chunks read so far. */
export interface StartedBody {
  chunks: AsyncIterator<unknown>;
  head: Buffer[];
}

export interface WrittenBlob {
  id: string;
  /** Of the plaintext (an encrypted blob's file is IV_BYTES longer). */
  size: number;
  /** Quoted MD5 hex of the file, as S3 reports it (an encrypted blob's: of its IV and ciphertext). */
  etag: string;
  /** An encrypted blob's plaintext MD5 hex, when asked for (to check a Content-MD5). */
  plainMd5?: string | undefined;
}

export interface WriteOptions {
  signal?: AbortSignal | undefined;
  /** When given, a body of any other length is refused (IncompleteBody). */
  contentLength?: number | undefined;
  /** Digests to feed with every byte written, besides the MD5 (only those a client asked for: they cost CPU). */
  digests?: ChecksumSet | undefined;
  /** Encrypt the bytes under this data key (a fresh IV first in the file, then AES-256-CTR). */
  dataKey?: Buffer | undefined;
  /** With dataKey: also compute the plaintext's MD5 (WrittenBlob.plainMd5). */
  plainMd5?: boolean | undefined;
}

export function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new ServiceError('InvalidRequest', 'The request body stream yielded something other than bytes.');
}

/** What a failed body read means for the caller: its own abort reason, its ServiceError, or IncompleteBody. */
export function bodyFailure(err: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  if (isServiceError(err)) return err;
  return new ServiceError('IncompleteBody', 'The request body failed before it was complete.', { cause: err });
}

async function writeFully(fh: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

export class BlobFiles {
  /** Blobs being written or copied by this process, not yet committed or discarded. */
  readonly inFlight = new Set<string>();
  /** Blobs being read by this process through rows read earlier: their unlinks wait for the last reader. */
  private readonly readers = new Map<string, number>();
  /** Pinned blobs whose row is gone: unlinked when their last reader is done. */
  private readonly doomed = new Set<string>();

  constructor(
    readonly root: string,
    private readonly durable: boolean,
    private readonly space: DiskSpace,
  ) {}

  /** What a failed file operation means for the caller: 507 when the file system had no room. */
  private storageFailure(err: unknown): unknown {
    if (isServiceError(err)) return err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') return this.space.noRoom(err);
    return new ServiceError('InternalError', 'The fs store could not write the object data.', { cause: err });
  }

  private readonly rethrowAsStorage = (err: unknown): never => {
    throw this.storageFailure(err);
  };

  pathOf(id: string): string {
    if (!ID.test(id)) throw new ServiceError('InternalError', `Invalid blob id ${JSON.stringify(id)} in the index.`);
    return join(this.root, id.slice(0, 2), id);
  }

  private reserve(): string {
    const id = randomBytes(16).toString('hex');
    this.inFlight.add(id);
    return id;
  }

  /**
   * Runs `work`, which commits rows naming the new blobs `ids`: when it fails they are deleted (unless the
   * commit happened but was not synced: then a row may name them). Either way they are settled afterwards.
   */
  async settle<T>(ids: readonly string[], work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof NotDurable)) await Promise.all(ids.map((id) => this.remove(id).catch(() => undefined)));
      throw err;
    } finally {
      for (const id of ids) this.release(id);
    }
  }

  /** Marks a blob as settled (committed or removed): the sweep may judge it from now on. */
  release(id: string): void {
    this.inFlight.delete(id);
  }

  /**
   * Keeps blobs read through a row from being unlinked (by a replace or a delete committed meanwhile) until
   * the returned function is called. Call it in the same turn as reading the row.
   */
  pin(ids: readonly string[]): () => void {
    for (const id of ids) this.readers.set(id, (this.readers.get(id) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      for (const id of ids) {
        const left = (this.readers.get(id) ?? 1) - 1;
        if (left > 0) {
          this.readers.set(id, left);
          continue;
        }
        this.readers.delete(id);
        // a leftover is an orphan: the next start-up sweep removes it
        if (this.doomed.delete(id)) this.remove(id).catch(() => undefined);
      }
    };
  }

  isPinned(id: string): boolean {
    return this.readers.has(id);
  }

  /** Unlinks a blob no row names any more, now or, while it is being read, after its last reader. */
  async discard(id: string): Promise<void> {
    if (this.readers.has(id)) this.doomed.add(id);
    else await this.remove(id);
  }

  /** Deletes a blob file; a missing one is fine (a sweep or an earlier attempt got there first). */
  async remove(id: string): Promise<void> {
    await rm(this.pathOf(id), { force: true });
    this.space.freed();
  }

  /**
   * Streams `body` into a new blob, computing its MD5 and size. On any failure the partial file is deleted
   * and the body destroyed. The returned id stays in `inFlight` until the caller calls `release`.
   * The body is taken over synchronously, within this call (or was already: `started`).
   */
  async write(body: Readable, opts: WriteOptions = {}, started?: StartedBody): Promise<WrittenBlob> {
    const { signal } = opts;
    if (signal?.aborted) {
      body.destroy();
      throw signal.reason;
    }
    // Take the body over now, before any await: a stream already flowing (someone listens to 'data') would
    // otherwise run past us. Stream iterators are lazy generators: asking for the first chunk starts them.
    const chunks = started?.chunks ?? body[Symbol.asyncIterator]();
    const first = chunks.next();
    first.catch(() => undefined); // awaited in fill(); this only keeps an early failure from being unhandled
    const id = this.reserve();
    const path = this.pathOf(id);
    const onAbort = () => body.destroy(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const { size, etag, plainMd5 } = await this.fill(path, chunks, first, opts, started?.head ?? []);
      if (opts.contentLength !== undefined && size !== opts.contentLength) {
        throw new ServiceError('IncompleteBody', `The body was ${size} bytes long; ${opts.contentLength} were announced.`);
      }
      if (this.durable) await fsyncDir(dirname(path)).catch(this.rethrowAsStorage);
      return { id, size, etag, plainMd5 };
    } catch (err) {
      body.destroy();
      await rm(path, { force: true }).catch(() => undefined);
      this.space.freed();
      this.release(id);
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Body → file in 1 MiB writes; reading the next piece overlaps the write of the previous. Two fixed slabs
   * are filled in turn: copying into them costs less than a fresh MiB per write, whose garbage piled up
   * (tens of MB) between GCs. The MD5 is computed on a worker thread that reads the file back behind the
   * writes (md5-pool.ts); its last stretch overlaps the fdatasync.
   */
  private async fill(
    path: string,
    chunks: AsyncIterator<unknown>,
    first: Promise<IteratorResult<unknown>>,
    { signal, digests, dataKey, plainMd5 }: WriteOptions,
    head: Buffer[],
  ) {
    const fh = await open(path, 'wx+').catch(this.rethrowAsStorage); // + : the MD5 worker reads it back
    const md5 = new Md5Job(fh.fd);
    let written = 0;
    const slabs = [Buffer.allocUnsafe(IO_BUFFER), Buffer.allocUnsafe(IO_BUFFER)] as const;
    let current: 0 | 1 = 0;
    let filled = 0;
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      await writing;
      await this.space.admit(filled);
      this.space.wrote(filled);
      const data = slabs[current].subarray(0, filled);
      const upTo = written + filled;
      writing = writeFully(fh, data, written).then(() => md5.written(upTo), this.rethrowAsStorage);
      writing.catch(() => undefined); // awaited later; this only keeps it from counting as unhandled
      written = upTo;
      current = current === 0 ? 1 : 0;
      filled = 0;
    };
    // checksums are of the plaintext; the file (and so its MD5, the ETag) holds the IV and the ciphertext
    let cipher: Cipher | undefined;
    const plain = dataKey && plainMd5 ? createHash('md5') : undefined;
    const store = async (chunk: Buffer) => {
      for (let offset = 0; offset < chunk.length; ) {
        const copied = chunk.copy(slabs[current], filled, offset);
        filled += copied;
        offset += copied;
        if (filled === IO_BUFFER) await flush();
      }
    };
    const take = async (chunk: Buffer) => {
      digests?.update(chunk);
      plain?.update(chunk);
      await store(cipher ? cipher.update(chunk) : chunk);
    };
    let digest: Promise<string> | undefined;
    try {
      if (dataKey) {
        const iv = newIv();
        cipher = encryptor(dataKey, iv);
        await store(iv);
      }
      for (const chunk of head) await take(chunk);
      for (let pending = first; ; pending = chunks.next()) {
        let next: IteratorResult<unknown>;
        try {
          next = await pending;
        } catch (err) {
          throw bodyFailure(err, signal);
        }
        if (next.done) break;
        await take(toBuffer(next.value));
      }
      if (signal?.aborted) throw signal.reason;
      if (filled > 0) await flush();
      await writing;
      digest = md5.digest(written);
      digest.catch(() => undefined); // awaited below, after the sync
      if (this.durable) await fh.datasync().catch(this.rethrowAsStorage);
      const size = dataKey ? written - IV_BYTES : written;
      return { size, etag: `"${await digest}"`, plainMd5: plain?.digest('hex') };
    } finally {
      await writing.catch(() => undefined);
      if (digest) await digest.catch(() => undefined); // the worker reads through fh until it has answered
      else md5.drop(); // reads of it still queued on the worker may fail on the closed fh: their result is unused
      await fh.close();
    }
  }

  /** Copies a blob to a new one (a reflink where the file system can). Undefined when the source is gone. */
  async copy(sourceId: string): Promise<string | undefined> {
    const source = this.pathOf(sourceId);
    const id = this.reserve();
    const path = this.pathOf(id);
    try {
      await copyFile(source, path, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL);
      if (this.durable) {
        const fh = await open(path, 'r+');
        await fh.datasync().finally(() => fh.close());
        await fsyncDir(dirname(path));
      }
      return id;
    } catch (err) {
      await rm(path, { force: true }).catch(() => undefined);
      this.space.freed();
      this.release(id);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && (err as { path?: string }).path === source) return undefined;
      throw this.storageFailure(err);
    }
  }

  /** Opens a blob for reading; undefined when it no longer exists (its object was replaced meanwhile). */
  async openRead(id: string): Promise<FileHandle | undefined> {
    try {
      return await open(this.pathOf(id), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new ServiceError('InternalError', 'The fs store could not read the object data.', { cause: err });
    }
  }
}
