import { LocalKms } from '#infra/local/kms.ts';
import { type DataKeys, envelopeSealer, type Sealer } from '#shared/sealing.ts';

const keyArn = 'arn:aws:kms:us-east-1:000000000000:key/6f1c3a52-8e0b-4d1e-9a47-0b5c1a9e0001';

/** Data keys from the local cloud's KMS, in process, counting the calls (a fake of the KMS port). */
export function localDataKeys(): DataKeys & { calls: { generate: number; decrypt: number } } {
  const kms = new LocalKms({ keyArn }).operations();
  const calls = { generate: 0, decrypt: 0 };
  return {
    calls,
    async generate(context) {
      calls.generate++;
      const out = kms['TrentService.GenerateDataKey']({
        KeyId: keyArn,
        KeySpec: 'AES_256',
        EncryptionContext: context,
      }) as { Plaintext: string; CiphertextBlob: string };
      return {
        plaintext: Buffer.from(out.Plaintext, 'base64'),
        encrypted: Buffer.from(out.CiphertextBlob, 'base64'),
      };
    },
    async decrypt(encrypted, context) {
      calls.decrypt++;
      const out = kms['TrentService.Decrypt']({
        CiphertextBlob: Buffer.from(encrypted).toString('base64'),
        EncryptionContext: context,
      }) as { Plaintext: string };
      return Buffer.from(out.Plaintext, 'base64');
    },
  };
}

export const aSealer = (): Sealer => envelopeSealer(localDataKeys());
