import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { kms } from './clients.ts';
import { config } from './config.ts';
import {
  type DataKeyDecryption,
  type DataKeys,
  envelopeOpener,
  envelopeSealer,
  type Opener,
  type Sealer,
} from './sealing.ts';

/** Data keys decrypted by the KMS key that seals label webhook secrets (bound to the encryption context). */
export function kmsDataKeyDecryption(client: KMSClient, keyId: string): DataKeyDecryption {
  return {
    async decrypt(encrypted, context) {
      const { Plaintext } = await client.send(
        new DecryptCommand({ KeyId: keyId, CiphertextBlob: encrypted, EncryptionContext: context }),
      );
      if (!Plaintext) throw new Error('KMS Decrypt returned no key');
      return Plaintext;
    },
  };
}

/** Data keys from the KMS key that seals label webhook secrets (AES-256, bound to the encryption context). */
export function kmsDataKeys(client: KMSClient, keyId: string): DataKeys {
  return {
    ...kmsDataKeyDecryption(client, keyId),
    async generate(context) {
      const { Plaintext, CiphertextBlob } = await client.send(
        new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context }),
      );
      if (!Plaintext || !CiphertextBlob) throw new Error('KMS GenerateDataKey returned no key');
      return { plaintext: Plaintext, encrypted: CiphertextBlob };
    },
  };
}

let sealer: Sealer | undefined;

/** The sealer of this process's webhook secrets (its cache of data keys lives as long as the container). */
export const webhookSecretSealer = (): Sealer => {
  sealer ??= envelopeSealer(kmsDataKeys(kms(), config().WEBHOOK_SECRETS_KEY_ID));
  return sealer;
};

let opener: Opener | undefined;

/** As webhookSecretSealer, for a function that only reads the secrets (intake): no sealing, no new data keys. */
export const webhookSecretOpener = (): Opener => {
  opener ??= envelopeOpener(kmsDataKeyDecryption(kms(), config().WEBHOOK_SECRETS_KEY_ID));
  return opener;
};
