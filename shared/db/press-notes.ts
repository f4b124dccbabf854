import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { failedConditions } from './conditions.ts';
import { retryingConflicts } from './conflicts.ts';
import { claimWrites, type Delivery, type NewClaim } from './deliveries.ts';
import { type PressTold, pressToldUpdate, type ShowRef, showAsRead } from './tours.ts';

/**
 * A press step's notes of what addresses are told of a show and the claims of the mails that tell
 * them, written together: never a note without its mail's claim, nor a claim after a change of the
 * show the step did not read (docs/design.md#tours).
 */
export interface NotedClaims {
  /**
   * The show as the step read it: the notes and claims are written only while it is at that change
   * (`occurredAt`; absent, whatever it is: the stale-claim sweep's set of its own, docs/design.md#tours).
   */
  asRead: ShowRef & { occurredAt?: string };
  country: string;
  /** Each mail's claim, with the note of its address (none: the address's note stands as it is). */
  claims: { claim: NewClaim; told?: PressTold }[];
}

/**
 * Writes the notes and claims, `notedClaimsPerWrite` addresses a transaction, one after another: the
 * deliveries claimed now (a mail claimed before is left out, its note written all the same), and
 * `refused` when the show had changed since the step read it, from that transaction on nothing written.
 */
export type NotePressAndClaim = (
  page: NotedClaims,
  at: string,
) => Promise<{ claimed: Delivery[]; refused: boolean }>;

/** DynamoDB: at most 100 items per TransactWriteItems: the show's check, then a note and a claim an address. */
export const notedClaimsPerWrite = 49;

export const dynamoNotePressAndClaim =
  (db: DynamoDBDocumentClient, table: string): NotePressAndClaim =>
  async ({ asRead, country, claims }, at) => {
    const claimed: Delivery[] = [];
    const check = asRead.occurredAt ? [{ ConditionCheck: showAsRead(table, asRead, asRead.occurredAt) }] : [];
    for (let start = 0; start < claims.length; start += notedClaimsPerWrite) {
      const page = claims.slice(start, start + notedClaimsPerWrite);
      const notes = page.flatMap(({ told }) =>
        told
          ? { Update: { TableName: table, ...pressToldUpdate(asRead.labelId, asRead.tourId, country, told) } }
          : [],
      );
      let writes = claimWrites(
        table,
        page.map(({ claim }) => claim),
        at,
      );
      while (notes.length + writes.length > 0) {
        try {
          await retryingConflicts(() =>
            db.send(
              new TransactWriteCommand({
                TransactItems: [...check, ...notes, ...writes.map((w) => w.write)],
              }),
            ),
          );
          claimed.push(...writes.map((w) => w.delivery));
          break;
        } catch (error) {
          const refused = failedConditions(error);
          if (!refused?.some(Boolean)) throw error;
          if (check.length && refused[0]) return { claimed, refused: true };
          // Claimed before (the step taken again): that claim is left out, the notes written. A refusal
          // that names no claim is not one this write expects: it fails, rather than being sent again as it was.
          const left = writes.filter((_, index) => !refused[check.length + notes.length + index]);
          if (left.length === writes.length) throw error;
          writes = left;
        }
      }
    }
    return { claimed, refused: false };
  };
