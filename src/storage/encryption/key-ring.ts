/**
 * The service's own keys (SSE-S3 and SSE-KMS): named 32-byte keys, the first the default. They only ever
 * wrap per-object data keys (data-keys.ts); object bytes are never encrypted under them directly.
 */
import { ServiceError } from '../../errors/codes.js';

export const KEY_BYTES = 32;

export interface RingKey {
  id: string;
  key: Buffer;
}

export class KeyRing {
  private readonly byId: ReadonlyMap<string, Buffer>;
  /** The key AES256 and aws:kms without a key id use; undefined for an empty ring. */
  readonly defaultId: string | undefined;

  constructor(keys: readonly RingKey[]) {
    for (const { id, key } of keys) {
      // the message names the id only: a key never reaches a log
      if (key.length !== KEY_BYTES) throw new Error(`The key "${id}" is ${key.length} bytes long; keys are ${KEY_BYTES} bytes.`);
    }
    this.byId = new Map(keys.map(({ id, key }) => [id, Buffer.from(key)]));
    if (this.byId.size !== keys.length) throw new Error('Two keys of the key ring have the same id.');
    this.defaultId = keys[0]?.id;
  }

  get empty(): boolean {
    return this.byId.size === 0;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The id a request names, or the default one: KMS.NotFoundException for an id the ring lacks. */
  resolve(id: string | undefined): string {
    const chosen = id ?? this.defaultId;
    if (chosen === undefined || !this.byId.has(chosen)) {
      throw new ServiceError('KMS.NotFoundException', `The key ${JSON.stringify(id ?? '(default)')} does not exist here.`);
    }
    return chosen;
  }

  /** The key of a stored record: one removed from the configuration since is the operator's mistake, not the caller's. */
  keyOf(id: string): Buffer {
    const key = this.byId.get(id);
    if (!key) throw new ServiceError('InternalError', `The object is encrypted under the key "${id}", which is no longer configured.`);
    return key;
  }
}

/** The ring with no keys: SSE-C only. */
export const NO_KEYS = new KeyRing([]);
