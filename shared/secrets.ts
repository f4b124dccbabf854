import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsManager } from './clients.ts';
import { config } from './config.ts';

/**
 * Secrets Manager values, each kept in memory for five minutes per container once read (see
 * docs/design.md#secrets); a read that fails is not kept. Written here rather than read through Powertools
 * Parameters (`getSecret`), which does the same: its providers, option classes and transforms were 3.5 KB
 * of every bundle that reads a secret, compiled at each cold start, for this one call (docs/design.md#bundles).
 */
const maxAgeMs = 300_000;
const kept = new Map<string, { value: string; until: number }>();

const secretString = async (id: string): Promise<string> => {
  const hit = kept.get(id);
  if (hit && hit.until >= Date.now()) return hit.value;
  const { SecretString: value } = await secretsManager().send(new GetSecretValueCommand({ SecretId: id }));
  if (!value) throw new Error(`secret ${id} is empty`);
  kept.set(id, { value, until: Date.now() + maxAgeMs });
  return value;
};

/** The management API's bearer key. */
export const apiKey = () => secretString(config().API_KEY_SECRET_ID);

/** The key that signs unsubscribe and promo-link tokens. */
export const tokenSigningKey = () => secretString(config().TOKEN_KEY_SECRET_ID);
