/**
 * MD5 off the event loop. MD5 runs ~760 MB/s on one core here, so hashing a large upload on the main thread
 * capped it at about half of what the disk takes. Instead one shared worker thread
 * (md5-worker.ts) hashes each new blob file by reading it back from the page cache, following the writer:
 * the main thread only says how far the file is written. So the writer never waits for the hash (it may run
 * ahead, holding no memory for it), and the final hashing overlaps the fdatasync.
 *
 * The worker reads the writer's own descriptor: the file must stay open until digest() has answered.
 * Written by hand: no library hashes a growing file on a worker thread like this.
 */
import { Worker } from 'node:worker_threads';
import { ServiceError } from '../../errors/codes.js';

export type HashRequest =
  | { op: 'start'; job: number; fd: number }
  | { op: 'written'; job: number; upTo: number }
  | { op: 'digest'; job: number; size: number }
  | { op: 'drop'; job: number };

export type HashReply = { job: number; hex: string } | { job: number; error: string };

interface Waiter {
  resolve: (hex: string) => void;
  reject: (err: unknown) => void;
}

function hashFailure(cause: unknown): ServiceError {
  return new ServiceError('InternalError', 'The fs store could not hash the object data.', { cause });
}

/** One worker for the process, started at the first job; it keeps the process alive only while a digest is awaited. */
class Md5Worker {
  private worker: Worker | undefined;
  private nextJob = 1;
  private readonly digests = new Map<number, Waiter>();

  newJob(fd: number): number {
    const job = this.nextJob++;
    this.started().postMessage({ op: 'start', job, fd } satisfies HashRequest);
    return job;
  }

  tell(request: Extract<HashRequest, { op: 'written' | 'drop' }>): void {
    this.worker?.postMessage(request);
  }

  digest(job: number, size: number): Promise<string> {
    const worker = this.worker;
    if (!worker) return Promise.reject(hashFailure(new Error('the MD5 worker stopped during the upload')));
    return new Promise<string>((resolve, reject) => {
      this.digests.set(job, { resolve, reject });
      if (this.digests.size === 1) worker.ref();
      worker.postMessage({ op: 'digest', job, size } satisfies HashRequest);
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./md5-worker.js', import.meta.url), {
      execArgv: [], // the process's flags are not for it (--input-type, profilers...)
      // a small heap: the worker keeps one read buffer and a hash state per upload
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
    });
    worker.on('message', (reply: HashReply) => {
      const waiter = this.digests.get(reply.job);
      if (!waiter) return;
      this.digests.delete(reply.job);
      if (this.digests.size === 0) worker.unref();
      if ('hex' in reply) waiter.resolve(reply.hex);
      else waiter.reject(hashFailure(new Error(reply.error)));
    });
    worker.on('error', (err) => this.stopped(worker, err));
    worker.on('exit', (code) => this.stopped(worker, new Error(`the MD5 worker exited with code ${code}`)));
    worker.unref(); // after the listeners: adding the 'message' one refs the worker's port again
    this.worker = worker;
    return worker;
  }

  /** The worker died: the digests awaited fail, jobs under way fail at theirs, the next job starts a new worker. */
  private stopped(worker: Worker, cause: unknown): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const waiter of this.digests.values()) waiter.reject(hashFailure(cause));
    this.digests.clear();
  }
}

const shared = new Md5Worker();

/** The MD5 of one blob file being written through `fd`, which stays open until digest() has answered. */
export class Md5Job {
  private readonly job: number;

  constructor(fd: number) {
    this.job = shared.newJob(fd);
  }

  /** The file's first `upTo` bytes are written: they may be hashed now. */
  written(upTo: number): void {
    shared.tell({ op: 'written', job: this.job, upTo });
  }

  /** The hex MD5 of the file's first `size` bytes (all of them written). */
  digest(size: number): Promise<string> {
    return shared.digest(this.job, size);
  }

  /** Abandons the job (the upload failed). */
  drop(): void {
    shared.tell({ op: 'drop', job: this.job });
  }
}
