import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keptSecret } from '#infra/local/data-folder.ts';
import { LocalKms } from '#infra/local/kms.ts';

/**
 * docs/design.md#failures-and-retries: the local cloud generates its API key, its token-signing key and
 * its KMS master key at the first start on a data folder and keeps them there. A `kill -9` while one is
 * written (the file created, its bytes not yet in it) must not leave an empty key that every later start
 * reads back: an empty secret fails every call that reads it, an empty master key every Encrypt.
 */
const killed = vi.hoisted(() => ({ next: false }));
vi.mock('node:fs', async (original) => {
  const fs = await original<typeof import('node:fs')>();
  return {
    ...fs,
    // Armed: the file is created, and the process dies before its bytes are written.
    writeFileSync: (...args: Parameters<typeof fs.writeFileSync>) => {
      if (!killed.next) return fs.writeFileSync(...args);
      killed.next = false;
      fs.writeFileSync(args[0], '');
      throw new Error('killed');
    },
  };
});

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'backline-secret-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

const keyArn = 'arn:aws:kms:us-east-1:000000000000:key/6f1c3a52-8e0b-4d1e-9a47-0b5c1a9e0001';

describe('a secret of the data folder whose first write a kill cut short', () => {
  it('leaves the KMS key whole at the next start: what it encrypts decrypts', () => {
    const file = join(directory, 'kms-master-key');
    killed.next = true;
    expect(() => new LocalKms({ keyArn, file })).toThrow('killed');

    const kms = new LocalKms({ keyArn, file }).operations();
    const sealed = () =>
      kms['TrentService.Encrypt']({
        KeyId: keyArn,
        Plaintext: Buffer.from('webhook secret').toString('base64'),
      });
    expect(sealed).not.toThrow();
    const { CiphertextBlob } = sealed() as { CiphertextBlob: string };
    const { Plaintext } = kms['TrentService.Decrypt']({ CiphertextBlob }) as { Plaintext: string };
    expect(Buffer.from(Plaintext, 'base64').toString()).toBe('webhook secret');
  });

  it('is generated again at the next start, and then kept', () => {
    const file = join(directory, 'api-key');
    killed.next = true;
    expect(() => keptSecret(file, () => 'first')).toThrow('killed');

    const second = keptSecret(file, () => 'second');
    const third = keptSecret(file, () => 'third');

    expect([second, third]).toEqual(['second', 'second']);
  });
});
