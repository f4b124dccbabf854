import { createCipheriv, createDecipheriv } from 'node:crypto';

/**
 * Envelope encryption of label webhook secrets (see docs/design.md#secrets): each secret written gets a
 * fresh data key from KMS (GenerateDataKey); the secret is encrypted with it in AES-256-GCM here, and the
 * KMS-encrypted data key is stored beside the ciphertext. Reading asks KMS to decrypt the data key. The
 * KMS key never leaves KMS, and only the functions granted `webhook-secrets:*` can use it.
 */

/** What every sealed webhook secret is bound to; IAM allows the key only with this context. */
export const webhookSecretContext = { purpose: 'webhook-secret' } as const;

export type EncryptionContext = Record<string, string>;

/** A secret as stored: the KMS-encrypted data key, and the secret encrypted under that data key. */
export interface SealedSecret {
  /** Base64 of KMS's CiphertextBlob for the data key. */
  dataKey: string;
  /** Base64 of the 12-byte GCM nonce. */
  iv: string;
  /** Base64 of the 16-byte GCM tag. */
  tag: string;
  /** Base64 of the encrypted secret. */
  ciphertext: string;
}

/**
 * The port over KMS: data keys for one KMS key. Decrypting one is built apart from generating one, as
 * opening a secret is from sealing one: intake only opens (a store is one object, which esbuild cannot
 * trim; see docs/design.md#bundles).
 */
export interface DataKeyDecryption {
  decrypt(encrypted: Uint8Array, context: EncryptionContext): Promise<Uint8Array>;
}

export interface DataKeys extends DataKeyDecryption {
  generate(context: EncryptionContext): Promise<{ plaintext: Uint8Array; encrypted: Uint8Array }>;
}

export interface Opener {
  open(sealed: SealedSecret, context: EncryptionContext): Promise<string>;
}

export interface Sealer extends Opener {
  seal(plaintext: string, context: EncryptionContext): Promise<SealedSecret>;
}

/** Plaintext data keys are kept in memory this long, so intake does not call KMS for every webhook. */
export const dataKeyCacheMs = 5 * 60 * 1000;
const dataKeyCacheEntries = 1000;

/** The context as GCM's additional data: a sealed secret moved to another label does not open. */
const additionalData = (context: EncryptionContext): Buffer =>
  Buffer.from(JSON.stringify(Object.entries(context).sort(([a], [b]) => a.localeCompare(b))));

export function envelopeOpener(keys: DataKeyDecryption, now: () => number = Date.now): Opener {
  const cache = new Map<string, { key: Uint8Array; until: number }>();

  const dataKeyOf = async (sealed: SealedSecret, context: EncryptionContext): Promise<Uint8Array> => {
    // The context is part of what KMS checks, so it is part of what the cache entry stands for.
    const cacheKey = `${sealed.dataKey} ${JSON.stringify(context)}`;
    const hit = cache.get(cacheKey);
    if (hit && hit.until > now()) return hit.key;
    const key = await keys.decrypt(Buffer.from(sealed.dataKey, 'base64'), context);
    if (cache.size >= dataKeyCacheEntries) cache.delete(cache.keys().next().value as string);
    cache.set(cacheKey, { key, until: now() + dataKeyCacheMs });
    return key;
  };

  return {
    async open(sealed, context) {
      const key = await dataKeyOf(sealed, context);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(additionalData(context));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      return Buffer.concat([
        decipher.update(Buffer.from(sealed.ciphertext, 'base64')),
        decipher.final(),
      ]).toString('utf8');
    },
  };
}

export function envelopeSealer(keys: DataKeys, now: () => number = Date.now): Sealer {
  return {
    ...envelopeOpener(keys, now),
    async seal(plaintext, context) {
      const { plaintext: key, encrypted } = await keys.generate(context);
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(additionalData(context));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return {
        dataKey: Buffer.from(encrypted).toString('base64'),
        iv: Buffer.from(iv).toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        ciphertext: ciphertext.toString('base64'),
      };
    },
  };
}
