import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoOutletManagement, type OutletManagement } from '#shared/db/outlet-changes.ts';
import { outletKey } from '#shared/db/outlet-items.ts';
import { dynamoPromoCounters, type PromoCounters } from '#shared/db/promo.ts';
import type { OutletInput } from '#shared/outlet-input.ts';
import type { Outlet } from '#shared/outlets.ts';
import { api, cloud, documentClient, sdkConfig, uniqueId } from './cloud.ts';

/** Integration helpers for outlets, recipients and deliverability, against the test run's local cloud. */

/** The local cloud's token-signing key, as the recipients function reads it. */
export async function localTokenKey(): Promise<string> {
  const secrets = new SecretsManagerClient(sdkConfig('events'));
  const { SecretString } = await secrets.send(
    new GetSecretValueCommand({ SecretId: cloud().env.TOKEN_KEY_SECRET_ID }),
  );
  return SecretString!;
}

/**
 * The directory as the management function has it (with replace and remove), on the local cloud's
 * table unless another is named (the store contracts' own, test/support/contract-table.ts).
 */
export const localOutletDirectory = (tableName = cloud().tableName): OutletManagement =>
  dynamoOutletManagement(documentClient(), tableName);
/** The promo counters on the local cloud's table unless another is named. */
export const localPromoCounters = (tableName = cloud().tableName): PromoCounters =>
  dynamoPromoCounters(documentClient(), tableName);

/**
 * The directory on a client that runs `meanwhile` once, just before the first write `isTheWrite`
 * names is sent: after the directory has read everything it writes from.
 */
export function racedDirectory(isTheWrite: (command: unknown) => boolean, meanwhile: () => Promise<unknown>) {
  const client = documentClient();
  let ran = false;
  const raced = Object.create(client) as DynamoDBDocumentClient;
  raced.send = (async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
    if (!ran && isTheWrite(command)) {
      ran = true;
      await meanwhile();
    }
    return client.send(command);
  }) as DynamoDBDocumentClient['send'];
  return {
    directory: dynamoOutletManagement(raced, cloud().tableName),
    ran: () => ran,
  };
}

/** The update of an outlet's fields that keeps its address. */
export const updatesOutlet = (outletId: string) => (command: unknown) =>
  command instanceof UpdateCommand && command.input.Key?.pk === outletKey(outletId).pk;

export const uniqueEmail = (label = 'outlet', domain = 'outlets.example') => `${uniqueId(label)}@${domain}`;

/**
 * A mail domain of a test's own: the SES faults it arms aimed at it (`ses.accept-then-fail:<domain>`) are
 * taken by its own mail, never by other mail on the shared cloud.
 */
export const aDomain = (label = 'outlets') => `${uniqueId(label)}.example`;

/** Creates an outlet through the management API. */
export async function createOutlet(input: Partial<OutletInput> = {}): Promise<Outlet> {
  const response = await api('/media-outlets', {
    method: 'POST',
    json: {
      name: 'Radio Nightshift',
      email: uniqueEmail(),
      kind: 'radio',
      genres: [],
      territories: ['GB'],
      ...input,
    },
  });
  if (response.status !== 201)
    throw new Error(`POST /media-outlets answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Outlet;
}

/** One outlet of `genre` in each territory, in that order. */
export const outletPerTerritory = (genre: string, territories: string[]): Promise<Outlet[]> =>
  Promise.all(territories.map((territory) => createOutlet({ genres: [genre], territories: [territory] })));
