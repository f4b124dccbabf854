import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OutboxEntry } from '../events/outbox.ts';
import { keyOf, nameHash } from './keys.ts';
import { writeWithOutbox } from './outbox.ts';

/**
 * A mailing's completion fact (`Release Announced`, `Release Date Change Sent`, ...), stated once per
 * mailing: its marker is put, conditional on its absence, in one transaction with the fact's outbox
 * entry. A run of the same mailing after it (Lambda running an invocation again that failed after it
 * returned, an event delivered twice, a follow-up asked again by settling or the sweep) mails no one
 * twice (claims) and states no second fact saying its own counts (docs/design.md#the-outbox).
 *
 * A mailing is its release and its identity: the kind, the revision, the territory moment and the
 * territories, as its mails' claims are (docs/design.md#exactly-once-mail).
 *
 * Access pattern:
 * - the fact of one mailing, put once and kept as the release's deliveries are (no expiry):
 *     pk = MAILING-FACT#<labelId>#<releaseId>, sk = <hash of [kind, revision, moment, territories]>
 */
export interface MailingFacts {
  /** Puts `fact` in the outbox unless the mailing's fact was stated before: false then, and nothing written. */
  state(mailing: MailingIdentity, fact: OutboxEntry): Promise<boolean>;
}

export interface MailingIdentity {
  labelId: string;
  releaseId: string;
  kind: string;
  revision?: string;
  moment?: string;
  territories?: readonly string[];
}

/** The mailing's marker key: the identity's parts hashed as a JSON tuple, so no two identities meet. */
export const mailingFactKey = (mailing: MailingIdentity) => ({
  pk: keyOf('MAILING-FACT', mailing.labelId, mailing.releaseId),
  sk: nameHash([
    mailing.kind,
    mailing.revision ?? '',
    mailing.moment ?? '',
    ...[...(mailing.territories ?? [])].sort(),
  ]),
});

export const dynamoMailingFacts = (db: DynamoDBDocumentClient, table: string): MailingFacts => ({
  state(mailing, fact) {
    const at = new Date().toISOString();
    const { labelId, releaseId, kind, revision, moment, territories } = mailing;
    return writeWithOutbox(
      db,
      [
        {
          Put: {
            TableName: table,
            Item: {
              ...mailingFactKey(mailing),
              entity: 'mailing-fact',
              labelId,
              releaseId,
              kind,
              ...(revision ? { revision } : {}),
              ...(moment ? { moment } : {}),
              ...(territories ? { territories: [...territories] } : {}),
              eventId: fact.eventId,
              statedAt: at,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
      [fact],
      at,
    );
  },
});
