/**
 * A bucket's settings in the fs store (CORS rules, tags): JSON columns of its row in meta.sqlite, so they are
 * committed like any change and go with the bucket when it is deleted. A setting is written whole; removing
 * one is a delete (it goes through on a full disk).
 */
import { ServiceError } from '../../errors/codes.js';
import { noCorsConfiguration, noSuchBucket, noTagSet } from '../../errors/not-found.js';
import { checkedDefault, type KeyRing } from '../encryption/index.js';
import type {
  BucketCorsOptions,
  BucketEncryption,
  BucketEncryptionOptions,
  BucketOptions,
  BucketTaggingOptions,
  CorsRule,
  Signal,
  Tags,
} from '../types.js';
import type { CommitQueue } from './commits.js';
import type { BucketSetting, MetaDb } from './db.js';
import type { DiskSpace } from './space.js';

export interface SettingsInternals {
  db: MetaDb;
  commits: CommitQueue;
  room: DiskSpace;
  /** The keys a default encryption may name. */
  ring: KeyRing;
  /** Throws when the store is closed or the call aborted. */
  check(opts: Signal): void;
}

export class BucketSettings {
  constructor(private readonly fs: SettingsInternals) {}

  async getCors(opts: BucketOptions): Promise<CorsRule[]> {
    const value = this.read(opts, 'cors');
    if (value === null) throw noCorsConfiguration(opts.bucket);
    return JSON.parse(value) as CorsRule[];
  }

  putCors(opts: BucketCorsOptions): Promise<void> {
    // the contract's fields only, in a fixed order (FORMAT.md)
    const rules = opts.rules.map((r): CorsRule => ({
      id: r.id,
      allowedOrigins: r.allowedOrigins,
      allowedMethods: r.allowedMethods,
      allowedHeaders: r.allowedHeaders,
      exposeHeaders: r.exposeHeaders,
      maxAgeSeconds: r.maxAgeSeconds,
    }));
    return this.write(opts, 'cors', JSON.stringify(rules));
  }

  deleteCors(opts: BucketOptions): Promise<void> {
    return this.write(opts, 'cors', null);
  }

  async getTags(opts: BucketOptions): Promise<Tags> {
    const value = this.read(opts, 'tags');
    if (value === null) throw noTagSet(opts.bucket);
    return JSON.parse(value) as Tags;
  }

  putTags(opts: BucketTaggingOptions): Promise<void> {
    return this.write(opts, 'tags', Object.keys(opts.tags).length > 0 ? JSON.stringify(opts.tags) : null);
  }

  deleteTags(opts: BucketOptions): Promise<void> {
    return this.write(opts, 'tags', null);
  }

  async getEncryption(opts: BucketOptions): Promise<BucketEncryption> {
    const value = this.read(opts, 'encryption');
    if (value === null) {
      throw new ServiceError('ServerSideEncryptionConfigurationNotFoundError', `The bucket "${opts.bucket}" has no default encryption.`);
    }
    return JSON.parse(value) as BucketEncryption;
  }

  async putEncryption(opts: BucketEncryptionOptions): Promise<void> {
    this.fs.check(opts);
    // the mode is checked as offered before the store is called (checked-store.ts); the key id here
    await this.write(opts, 'encryption', JSON.stringify(checkedDefault(this.fs.ring, opts.encryption)));
  }

  deleteEncryption(opts: BucketOptions): Promise<void> {
    return this.write(opts, 'encryption', null);
  }

  private read(opts: BucketOptions, setting: BucketSetting): string | null {
    this.fs.check(opts);
    const row = this.fs.db.getBucketSettings(opts.bucket);
    if (!row) throw noSuchBucket(opts.bucket);
    return row[setting];
  }

  private async write(opts: BucketOptions, setting: BucketSetting, value: string | null): Promise<void> {
    this.fs.check(opts);
    if (value !== null) await this.fs.room.admit(0, true);
    await this.fs.commits.enqueue(() => this.fs.db.setBucketSetting(opts.bucket, setting, value), value === null ? 'delete' : 'write');
  }
}
