import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiKey, tokenSigningKey } from '#shared/secrets.ts';

/** Secrets as the functions read them (docs/design.md#secrets): kept five minutes per container once read. */
const secretsManager = mockClient(SecretsManagerClient);
const secretIdsRead = () =>
  secretsManager.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input.SecretId);

let hours = 0;
beforeEach(() => {
  secretsManager.reset();
  // Each case starts an hour after the last, past whatever the one before kept.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.parse('2030-01-01T00:00:00Z') + ++hours * 3_600_000);
});
afterEach(() => vi.useRealTimers());

describe('secrets', () => {
  it('reads each secret once and keeps it for five minutes, then reads it again', async () => {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: 'backline/token-signing-key' })
      .resolvesOnce({ SecretString: 'signing-1' })
      .resolves({ SecretString: 'signing-2' })
      .on(GetSecretValueCommand, { SecretId: 'backline/api-key' })
      .resolves({ SecretString: 'api' });

    expect([await tokenSigningKey(), await apiKey()]).toEqual(['signing-1', 'api']);
    vi.advanceTimersByTime(300_000);
    expect([await tokenSigningKey(), await apiKey()]).toEqual(['signing-1', 'api']);
    expect(secretIdsRead()).toEqual(['backline/token-signing-key', 'backline/api-key']);

    vi.advanceTimersByTime(1);
    expect(await tokenSigningKey()).toBe('signing-2');
    expect(secretIdsRead()).toEqual([
      'backline/token-signing-key',
      'backline/api-key',
      'backline/token-signing-key',
    ]);
  });

  it.each([
    ['an empty text', { SecretString: '' }],
    ['no text (a binary secret)', { SecretBinary: new Uint8Array([1, 2]) }],
  ])('refuses a secret with %s, naming it', async (_, answer) => {
    secretsManager.on(GetSecretValueCommand).resolves(answer);

    await expect(apiKey()).rejects.toThrow('secret backline/api-key is empty');
  });

  it('keeps nothing from a read that failed: the next call reads again', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error('Rate exceeded'))
      .resolves({ SecretString: 'api' });

    await expect(apiKey()).rejects.toThrow('Rate exceeded');
    expect(await apiKey()).toBe('api');
    expect(secretIdsRead()).toHaveLength(2);
  });
});
