/**
 * What `object sync` has to do: which files differ between a local folder and a bucket prefix, and which
 * are extra on the destination. Same relative path, same size and same MD5 is unchanged. The remote MD5 is
 * the ETag when that is a plain MD5 (32 hex digits in quotes, a single-part upload); other ETags (a
 * multipart upload on the s3 store: "...-N") are compared by size only. Local MD5s are computed, streamed,
 * only for files whose size already matches.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiClient } from './client.js';
import { forEachLimit } from './context.js';
import type { Excluded } from './exclude.js';
import { listAll } from './list.js';
import { fileMd5, walkTree } from './local.js';
import { isFolderKey, safeLocalPath, toKeySuffix } from './paths.js';

/** The bucket side: a bucket and a prefix taken as a folder ('' or ending in /). */
export interface RemoteFolder {
  bucket: string;
  prefix: string;
}

interface RemoteEntry {
  size: number;
  etag: string;
}

interface LocalSide {
  path: string;
  size: number;
}

export interface Copy {
  /** The path below both sides, `/`-separated: the key is the prefix and this. */
  relative: string;
  /** The local file: read for an upload, written for a download. */
  path: string;
  size: number;
}

export interface SyncPlan {
  copies: Copy[];
  /** Keys (upload) or local file paths (download) that the source does not have; filled with --delete. */
  deletes: string[];
  unchanged: number;
  /** Of the unchanged, those whose remote ETag is not an MD5, so only their sizes were compared. */
  bySizeOnly: number;
  /** Keys that cannot be a local file below the folder (download). */
  refused: string[];
}

export interface PlanOptions {
  excluded: Excluded;
  delete: boolean;
  /** Files compared (hashed) at once. */
  jobs: number;
  /** Told of each local entry that is not a file (a link to a folder, a socket). */
  skipped: (path: string) => void;
}

/** The MD5 a remote ETag is, or undefined when it is not one. */
export function etagMd5(etag: string): string | undefined {
  return /^"([0-9a-f]{32})"$/i.exec(etag)?.[1]?.toLowerCase();
}

/** Every object under the prefix by its relative path (folder markers and excluded paths left out). */
async function remoteIndex(client: ApiClient, remote: RemoteFolder, excluded: Excluded): Promise<Map<string, RemoteEntry>> {
  const index = new Map<string, RemoteEntry>();
  for await (const entry of listAll(client, remote.bucket, remote.prefix)) {
    const relative = entry.key.slice(remote.prefix.length);
    if (entry.type !== 'object' || isFolderKey(relative) || excluded(relative)) continue;
    index.set(relative, { size: entry.size, etag: entry.etag });
  }
  return index;
}

/** Collects the plan; copies are found out of order (several files compared at once) and sorted at the end. */
class PlanBuilder {
  readonly plan: SyncPlan = { copies: [], deletes: [], unchanged: 0, bySizeOnly: 0, refused: [] };
  private readonly found: Array<{ order: number; copy: Copy }> = [];

  /** Adds `copy` (the `order`th seen) unless both sides are there with the same size and MD5. */
  async add(order: number, copy: Copy, local: LocalSide | undefined, remote: RemoteEntry | undefined): Promise<void> {
    if (local !== undefined && remote !== undefined && local.size === remote.size) {
      const md5 = etagMd5(remote.etag);
      if (md5 === undefined) {
        this.plan.unchanged++;
        this.plan.bySizeOnly++;
        return;
      }
      if ((await fileMd5(local)) === md5) {
        this.plan.unchanged++;
        return;
      }
    }
    this.found.push({ order, copy });
  }

  done(): SyncPlan {
    this.plan.copies = this.found.sort((a, b) => a.order - b.order).map((f) => f.copy);
    return this.plan;
  }
}

/** Local folder → bucket prefix. */
export async function planUpload(client: ApiClient, folder: string, remote: RemoteFolder, options: PlanOptions): Promise<SyncPlan> {
  const remaining = await remoteIndex(client, remote, options.excluded);
  const builder = new PlanBuilder();
  let order = 0;
  await forEachLimit(walkTree(folder, options.skipped), options.jobs, async (file) => {
    const seen = order++;
    const relative = toKeySuffix(file.relative);
    if (options.excluded(relative)) return;
    const there = remaining.get(relative);
    remaining.delete(relative); // what is left at the end is not in the source
    await builder.add(seen, { relative, path: file.path, size: file.size }, file, there);
  });
  const plan = builder.done();
  if (options.delete) plan.deletes = [...remaining.keys()].map((relative) => remote.prefix + relative);
  return plan;
}

/** Bucket prefix → local folder (which need not exist yet). */
export async function planDownload(client: ApiClient, remote: RemoteFolder, folder: string, options: PlanOptions): Promise<SyncPlan> {
  const index = await remoteIndex(client, remote, options.excluded);
  const builder = new PlanBuilder();
  let order = 0;
  await forEachLimit(index, options.jobs, async ([relative, entry]) => {
    const seen = order++; // now, in listing order: the awaits below finish in any order
    const safe = safeLocalPath(relative);
    if (safe === undefined) {
      builder.plan.refused.push(remote.prefix + relative);
      return;
    }
    const path = join(folder, safe);
    const info = await stat(path).catch(() => undefined);
    const here = info?.isFile() ? { path, size: info.size } : undefined;
    await builder.add(seen, { relative, path, size: entry.size }, here, entry);
  });
  const plan = builder.done();
  if (options.delete && (await stat(folder).catch(() => undefined))?.isDirectory()) {
    for await (const file of walkTree(folder, options.skipped)) {
      const relative = toKeySuffix(file.relative);
      if (!index.has(relative) && !options.excluded(relative)) plan.deletes.push(file.path);
    }
  }
  return plan;
}
