/** One file up or down, with its progress bar: what put, get and sync share. */
import { basename } from 'node:path';
import { contentType } from 'mime-types';
import type { ApiClient } from './client.js';
import { byteCounter, openFile, saveFile, type LocalFile } from './local.js';
import type { RemotePath } from './paths.js';
import type { Reporter } from './progress.js';

/** The Content-Type a file is uploaded with unless told otherwise: guessed from its extension. */
export function guessContentType(path: string): string {
  return contentType(basename(path)) || 'application/octet-stream';
}

/** Streams a local file to `to` with its length; a retry (after 429/503) sends it again from its start. */
export async function uploadFile(client: ApiClient, to: RemotePath, file: LocalFile, headers: Record<string, string>, reporter: Reporter): Promise<void> {
  const bar = reporter.file(to.key, file.size);
  let sent = 0;
  // opened anew for each attempt, and only once the request may go (not while a pause is waited out)
  const open = () => {
    bar.add(-sent);
    sent = 0;
    const counter = byteCounter((n) => {
      sent += n;
      bar.add(n);
    });
    // a read error must fail the upload, not leave it waiting; pipe and one forwarded error cost a third
    // of stream.pipeline (its AbortController and DOMException per file), which counts with small files
    const source = openFile(file);
    source.on('error', (err) => counter.destroy(err));
    return source.pipe(counter);
  };
  try {
    await client.upload(to.bucket, to.key, open, file.size, headers);
  } finally {
    bar.done();
  }
}

/** Downloads `from` into the file `dest` through a temporary file renamed into place once complete. */
export async function downloadFile(client: ApiClient, from: RemotePath, dest: string, sizeHint: number, reporter: Reporter): Promise<void> {
  const { body, size } = await client.download(from.bucket, from.key);
  const bar = reporter.file(from.key, size ?? sizeHint);
  try {
    await saveFile(body, dest, (n) => bar.add(n));
  } finally {
    bar.done();
  }
}
