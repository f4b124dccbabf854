import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { BusError } from './bus/bus.ts';
import { keptSecret } from './data-folder.ts';

/**
 * KMS as the local cloud serves it (`TrentService.GenerateDataKey`, `Encrypt`, `Decrypt`, AWS JSON 1.1 with
 * blobs in base64): one symmetric key whose 256-bit master key lives in the data folder (`kms-master-key`),
 * or in memory without one. A ciphertext blob is version | nonce | GCM tag | ciphertext, authenticated with
 * the key id and the encryption context, so, as on AWS, a blob decrypts only with the context it was made with.
 */
export class LocalKms {
  readonly keyArn: string;
  private readonly masterKey: Buffer;

  constructor(options: { keyArn: string; file?: string }) {
    this.keyArn = options.keyArn;
    this.masterKey = masterKeyFrom(options.file);
  }

  /** The handlers of the endpoint on the bus port, by X-Amz-Target. */
  operations(): Record<string, (input: Record<string, unknown>) => unknown> {
    return {
      'TrentService.GenerateDataKey': (input) => {
        this.checkKey(input.KeyId);
        const bytes = dataKeyBytes(input);
        const plaintext = randomBytes(bytes);
        return {
          KeyId: this.keyArn,
          Plaintext: plaintext.toString('base64'),
          CiphertextBlob: this.seal(plaintext, contextOf(input)).toString('base64'),
        };
      },
      'TrentService.Encrypt': (input) => {
        this.checkKey(input.KeyId);
        const plaintext = Buffer.from(String(input.Plaintext ?? ''), 'base64');
        if (plaintext.length < 1 || plaintext.length > 4096) {
          throw new BusError('ValidationException', 'Plaintext must be 1 to 4096 bytes.');
        }
        return {
          KeyId: this.keyArn,
          CiphertextBlob: this.seal(plaintext, contextOf(input)).toString('base64'),
          EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        };
      },
      'TrentService.Decrypt': (input) => {
        if (input.KeyId !== undefined) this.checkKey(input.KeyId);
        const plaintext = this.open(
          Buffer.from(String(input.CiphertextBlob ?? ''), 'base64'),
          contextOf(input),
        );
        return {
          KeyId: this.keyArn,
          Plaintext: plaintext.toString('base64'),
          EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        };
      },
    };
  }

  private checkKey(keyId: unknown): void {
    const id = String(keyId ?? '');
    if (id !== this.keyArn && id !== this.keyArn.split('/').pop()) {
      throw new BusError('NotFoundException', `Key '${id}' does not exist`);
    }
  }

  private additionalData(context: Record<string, string>): Buffer {
    const entries = Object.entries(context).sort(([a], [b]) => a.localeCompare(b));
    return Buffer.from(JSON.stringify([this.keyArn, entries]));
  }

  private seal(plaintext: Buffer, context: Record<string, string>): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, iv);
    cipher.setAAD(this.additionalData(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), ciphertext]);
  }

  private open(blob: Buffer, context: Record<string, string>): Buffer {
    try {
      if (blob[0] !== 1 || blob.length < 29) throw new Error('not a local KMS blob');
      const decipher = createDecipheriv('aes-256-gcm', this.masterKey, blob.subarray(1, 13));
      decipher.setAAD(this.additionalData(context));
      decipher.setAuthTag(blob.subarray(13, 29));
      return Buffer.concat([decipher.update(blob.subarray(29)), decipher.final()]);
    } catch {
      // KMS says no more than this, whatever was wrong: the blob, the key or the context.
      throw new BusError('InvalidCiphertextException', '');
    }
  }
}

function masterKeyFrom(file: string | undefined): Buffer {
  return Buffer.from(
    keptSecret(file, () => randomBytes(32).toString('base64')),
    'base64',
  );
}

function contextOf(input: Record<string, unknown>): Record<string, string> {
  return (input.EncryptionContext as Record<string, string> | undefined) ?? {};
}

function dataKeyBytes(input: Record<string, unknown>): number {
  if (input.KeySpec === 'AES_256') return 32;
  if (input.KeySpec === 'AES_128') return 16;
  const bytes = Number(input.NumberOfBytes);
  if (Number.isInteger(bytes) && bytes >= 1 && bytes <= 1024) return bytes;
  throw new BusError(
    'ValidationException',
    'Specify KeySpec (AES_256 or AES_128) or NumberOfBytes (1-1024).',
  );
}
