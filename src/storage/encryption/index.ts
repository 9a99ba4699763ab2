/** Server-side encryption at rest, independent of any store: the key ring, per-object data keys, the byte cipher. */
export { KeyRing, NO_KEYS, KEY_BYTES, type RingKey } from './key-ring.js';
export { sealNew, openRecord, infoOf, checkedDefault, type EncryptionRecord, type SealedKey } from './data-keys.js';
export { IV_BYTES, newIv, encryptor, decryptorAt, decryptSlice } from './ctr.js';
