/**
 * The worker thread of md5-pool.ts: one MD5 per upload, fed by reading back the blob file the main thread
 * writes (from the page cache), up to where it says the file is written. Messages are handled in order, one
 * MiB or so each, so that the uploads sharing this worker take turns.
 */
import { createHash, type Hash } from 'node:crypto';
import { readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { HashReply, HashRequest } from './md5-pool.js';

interface Job {
  fd: number;
  hash: Hash;
  hashed: number;
}

const READ_BUFFER = Buffer.allocUnsafe(1 << 20);
const jobs = new Map<number, Job>();
const port = parentPort;
if (!port) throw new Error('md5-worker.js runs as a worker thread only');

/** Hashes the job's file from where it stopped up to `end`. */
function catchUp(job: Job, end: number): void {
  while (job.hashed < end) {
    const want = Math.min(READ_BUFFER.length, end - job.hashed);
    const got = readSync(job.fd, READ_BUFFER, 0, want, job.hashed);
    if (got === 0) throw new Error(`the blob file ended at ${job.hashed} bytes, before ${end}`);
    job.hash.update(READ_BUFFER.subarray(0, got));
    job.hashed += got;
  }
}

port.on('message', (request: HashRequest) => {
  const job = jobs.get(request.job);
  switch (request.op) {
    case 'start':
      jobs.set(request.job, { fd: request.fd, hash: createHash('md5'), hashed: 0 });
      return;
    case 'written':
      if (!job) return;
      try {
        catchUp(job, request.upTo);
      } catch {
        // the same read fails again at 'digest', which answers with the error
      }
      return;
    case 'digest': {
      let reply: HashReply;
      try {
        if (!job) throw new Error('unknown job');
        catchUp(job, request.size);
        reply = { job: request.job, hex: job.hash.digest('hex') };
      } catch (err) {
        reply = { job: request.job, error: (err as Error).message };
      }
      jobs.delete(request.job);
      port.postMessage(reply);
      return;
    }
    case 'drop':
      jobs.delete(request.job);
  }
});
