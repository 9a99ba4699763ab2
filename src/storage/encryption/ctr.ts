/**
 * Object bytes at rest: AES-256-CTR, length-preserving, so sizes, ranges and part spans are those of the
 * plaintext. Each stored blob starts with its own random 16-byte IV (a fresh one for every write, so no
 * (key, IV) pair is ever used twice); a read from any offset starts the counter there.
 */
import { createCipheriv, createDecipheriv, randomBytes, type Cipher, type Decipher } from 'node:crypto';

export const IV_BYTES = 16;
const BLOCK = 16n;
const COUNTER_SPACE = 1n << 128n;

/** A fresh IV for a new blob. */
export function newIv(): Buffer {
  return randomBytes(IV_BYTES);
}

/** The encryptor of a new blob, from its first byte. */
export function encryptor(key: Buffer, iv: Buffer): Cipher {
  return createCipheriv('aes-256-ctr', key, iv);
}

/** The counter block for plaintext byte `offset`: the IV read as a 128-bit big-endian number plus its block index. */
function counterAt(iv: Buffer, offset: number): Buffer {
  const value = (BigInt(`0x${iv.toString('hex')}`) + BigInt(offset) / BLOCK) % COUNTER_SPACE;
  return Buffer.from(value.toString(16).padStart(IV_BYTES * 2, '0'), 'hex');
}

/** A decryptor whose first input byte is ciphertext byte `offset` of the blob whose IV is `iv`. */
export function decryptorAt(key: Buffer, iv: Buffer, offset: number): Decipher {
  const decipher = createDecipheriv('aes-256-ctr', key, counterAt(iv, offset));
  const skip = offset % IV_BYTES;
  if (skip > 0) decipher.update(Buffer.alloc(skip)); // advances the keystream to the byte within the block
  return decipher;
}

/** Decrypts a piece of ciphertext that starts at plaintext offset `offset` (a stored inline object, a slice). */
export function decryptSlice(key: Buffer, iv: Buffer, offset: number, ciphertext: Buffer): Buffer {
  return decryptorAt(key, iv, offset).update(ciphertext);
}
