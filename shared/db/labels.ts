import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type Opener, type SealedSecret, type Sealer, webhookSecretContext } from '../sealing.ts';
import { writtenUnlessRefused } from './conditions.ts';
import { keyOf } from './keys.ts';

/**
 * Labels and their webhook secrets.
 *
 * Access patterns:
 * - get a label by id (intake: the secrets that verify its webhooks; management: `GET /labels/{labelId}`)
 *     pk = LABEL#<labelId>, sk = LABEL
 * - a label's name (the announcer, once per mailing page: release mail names its label): the same item,
 *   its name alone (ProjectionExpression), so no secret is read
 * - whether a label exists (the office, for a route under `/labels/{labelId}` that found nothing): the same
 *   item, its key alone (ProjectionExpression), so no secret is read and no KMS key is used
 * - create a label once (`POST /labels`): conditional put, attribute_not_exists(pk)
 * - rotate its secret (`POST /labels/{labelId}/secrets/rotate`) or revoke rotated-out ones
 *   (`POST /labels/{labelId}/secrets/revoke`): conditional put on `version` (optimistic lock)
 *
 * Secrets are stored sealed (envelope encryption under the webhook-secrets KMS key, bound to the label id:
 * see docs/design.md#secrets); each write seals every secret afresh with a new data key. An item written
 * before sealing existed holds `value` in plain text: it is read as it is and sealed on its next write.
 *
 * Label ids are restricted to `labelIdPattern`, so they never contain the key separator `#`.
 */
export const labelKey = (labelId: string) => ({ pk: keyOf('LABEL', labelId), sk: 'LABEL' });

/** Letters, digits, `.`, `_`, `-`; at most 64 characters. Anything else cannot name a label. */
export const labelIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const isLabelId = (value: string): boolean => labelIdPattern.test(value);

/** A rotated-out secret keeps verifying for 24 hours so a label can roll over without losing deliveries. */
export const secretGraceMs = 24 * 60 * 60 * 1000;

/** At most this many secrets verify a label's webhooks at once: the current one and two rotated-out ones. */
export const maxActiveSecrets = 3;

export interface LabelSecret {
  /** `whsec_` + base64 of the key. Never logged, never returned after creation or rotation. */
  value: string;
  createdAt: string;
  /** Set when rotated out: the secret verifies until then. */
  retiresAt?: string;
}

export interface Label {
  labelId: string;
  name: string;
  createdAt: string;
  /** Optimistic lock for rotation. */
  version: number;
  /** The current secret first, then rotated-out ones still in their grace period. */
  secrets: LabelSecret[];
}

/** Whether `secret` verifies at `now`: the current one, or a rotated-out one not yet retired. */
export const verifiesAt = (secret: LabelSecret, now: Date): boolean =>
  secret.retiresAt === undefined || Date.parse(secret.retiresAt) > now.getTime();

/** The secrets that verify a label's webhooks at `now`: the current one and rotated-out ones not yet retired. */
export const activeSecrets = (label: Label, now: Date): string[] =>
  label.secrets.filter((s) => verifiesAt(s, now)).map((s) => s.value);

/** The label after rotating in `secret` at `now`: the old current secret retires in 24 h, retired ones are dropped. */
export function withRotatedSecret(label: Label, secret: string, now: Date): Label {
  const retiresAt = new Date(now.getTime() + secretGraceMs).toISOString();
  const previous = label.secrets
    .map((s) => ({ ...s, retiresAt: s.retiresAt ?? retiresAt }))
    .filter((s) => Date.parse(s.retiresAt) > now.getTime());
  return {
    ...label,
    version: label.version + 1,
    secrets: [{ value: secret, createdAt: now.toISOString() }, ...previous],
  };
}

/** The label with every rotated-out secret retired at once (none keeps its grace period); the current one stays. */
export const withRevokedSecrets = (label: Label): Label => ({
  ...label,
  version: label.version + 1,
  secrets: label.secrets.filter((s) => s.retiresAt === undefined),
});

/**
 * Whether a label exists, without its secrets: what the office asks, which may not use the KMS key
 * (see docs/design.md#routes-and-auth). Built apart from the rest of the store, so a bundle that asks only
 * this holds no sealing.
 */
export interface LabelExistence {
  exists(labelId: string): Promise<boolean>;
}

/** A label's name alone, without its secrets: what the announcer reads to name the label in its mail. */
export interface LabelNames {
  nameOf(labelId: string): Promise<string | undefined>;
}

export const dynamoLabelNames = (client: DynamoDBDocumentClient, tableName: string): LabelNames => ({
  async nameOf(labelId) {
    if (!isLabelId(labelId)) return undefined;
    // The name alone: the item's sealed secrets are never read here.
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: labelKey(labelId),
        ProjectionExpression: '#name',
        ExpressionAttributeNames: { '#name': 'name' },
      }),
    );
    return typeof Item?.name === 'string' ? Item.name : undefined;
  },
});

/** A label with its secrets opened: what intake reads, built apart from the writes, which seal. */
export interface LabelReads {
  get(labelId: string): Promise<Label | undefined>;
}

/** The port over stored labels. */
export interface Labels extends LabelExistence, LabelReads {
  /** Stores a new label; false when the id is taken. */
  create(label: Label): Promise<boolean>;
  /** Replaces a label whose stored version is `label.version - 1`; false when another write came first. */
  update(label: Label): Promise<boolean>;
}

/** A secret as stored: sealed, or (written before sealing) its plain `value`. */
type StoredSecret = Omit<LabelSecret, 'value'> & { sealed?: SealedSecret; value?: string };

export const dynamoLabelExistence = (client: DynamoDBDocumentClient, tableName: string): LabelExistence => ({
  async exists(labelId) {
    if (!isLabelId(labelId)) return false;
    // The key alone: the item's sealed secrets are never read here.
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: labelKey(labelId),
        ProjectionExpression: 'pk',
        ConsistentRead: true,
      }),
    );
    return Item !== undefined;
  },
});

const contextOf = (labelId: string) => ({ ...webhookSecretContext, labelId });

export function dynamoLabelReads(
  client: DynamoDBDocumentClient,
  tableName: string,
  opener: Opener,
): LabelReads {
  const open = async (labelId: string, stored: StoredSecret): Promise<LabelSecret> => {
    const { sealed, value, ...rest } = stored;
    if (sealed) return { ...rest, value: await opener.open(sealed, contextOf(labelId)) };
    if (value === undefined) throw new Error(`label ${labelId} holds a secret neither sealed nor plain`);
    return { ...rest, value };
  };
  return {
    async get(labelId) {
      if (!isLabelId(labelId)) return undefined;
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: labelKey(labelId), ConsistentRead: true }),
      );
      if (!Item) return undefined;
      const { labelId: id, name, createdAt, version, secrets } = Item;
      return {
        labelId: id,
        name,
        createdAt,
        version,
        secrets: await Promise.all((secrets as StoredSecret[]).map((secret) => open(id, secret))),
      } as Label;
    },
  };
}

export function dynamoLabels(client: DynamoDBDocumentClient, tableName: string, sealer: Sealer): Labels {
  const item = async (label: Label) => ({
    ...labelKey(label.labelId),
    type: 'label',
    ...label,
    secrets: await Promise.all(
      label.secrets.map(
        async ({ value, ...rest }): Promise<StoredSecret> => ({
          ...rest,
          sealed: await sealer.seal(value, contextOf(label.labelId)),
        }),
      ),
    ),
  });
  /**
   * Puts the label on `condition`. A refusal is read again before it is taken for another writer's
   * (docs/design.md#failures-and-retries): this very put, applied with its answer lost and refused when
   * the SDK sent it again, stored the current secret as this put sealed it (with a nonce of its own).
   */
  const put = async (
    label: Label,
    condition: Pick<PutCommandInput, 'ConditionExpression' | 'ExpressionAttributeValues'>,
  ) => {
    const Item = await item(label);
    if (await writtenUnlessRefused(client.send(new PutCommand({ TableName: tableName, Item, ...condition }))))
      return true;
    const { Item: stored } = await client.send(
      new GetCommand({ TableName: tableName, Key: labelKey(label.labelId), ConsistentRead: true }),
    );
    const [mine] = Item.secrets.map(({ sealed }) => sealed);
    const theirs = (stored?.secrets as StoredSecret[] | undefined)?.[0]?.sealed;
    return theirs?.iv === mine?.iv && theirs?.ciphertext === mine?.ciphertext;
  };
  return {
    ...dynamoLabelExistence(client, tableName),
    ...dynamoLabelReads(client, tableName, sealer),
    // Invariant: one label per id; a second create never overwrites the first one's secret.
    create: (label) => put(label, { ConditionExpression: 'attribute_not_exists(pk)' }),
    // Invariant: two concurrent rotations cannot both win and drop each other's secret.
    update: (label) =>
      put(label, {
        ConditionExpression: 'attribute_exists(pk) AND version = :previous',
        ExpressionAttributeValues: { ':previous': label.version - 1 },
      }),
  };
}
