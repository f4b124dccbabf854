import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { config } from './config.ts';

/** Secrets Manager values, through Powertools Parameters (cached for five minutes per container). */
const maxAge = 300;

const secretString = async (id: string): Promise<string> => {
  const value = await getSecret<string>(id, { maxAge });
  if (typeof value !== 'string' || value.length === 0) throw new Error(`secret ${id} is empty`);
  return value;
};

/** The management API's bearer key. */
export const apiKey = () => secretString(config().API_KEY_SECRET_ID);

/** The key that signs unsubscribe and promo-link tokens. */
export const tokenSigningKey = () => secretString(config().TOKEN_KEY_SECRET_ID);
