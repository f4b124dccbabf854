import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { type Delivery, dynamoDeliveries, mailSubjects, type NewClaim } from '#shared/db/deliveries.ts';
import { defaultMailSettings, type OutgoingMail } from '#shared/mail/ports.ts';
import { type Resender, sweepStaleClaims } from '#shared/mail/settle.ts';
import { templateNames } from '#shared/mail/template-names.ts';
import { fakeMailDeps } from '#test/support/announcer-fakes.ts';
import { documentClient, uniqueId } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';
import { answerLostOnce } from '#test/support/dynamo-errors.ts';

/**
 * docs/design.md#failures-and-retries, on DynamoDB Local: the sweep takes over a stale claim (a
 * conditional update on the claim as it read it, no request token) to send it again, or to hold it
 * open unsent, and the answer is lost; the SDK's resend is refused by that very takeover. Taken for
 * another sweeper's, the resend was not sent until the claim was stale again (some 28 minutes), and a
 * hold answered that it held nothing. The table is the file's own: no function acts on it.
 */
const table = aTableOfItsOwn('backline-takeover-lost');
const claimedAt = Date.parse('2027-03-01T12:00:00.000Z');

const aShowMail = (): NewClaim => ({
  labelId: uniqueId('lbl'),
  subject: mailSubjects.show(uniqueId('tour'), uniqueId('show')),
  kind: 'advance-request',
  email: `${uniqueId('promoter')}@takeover.example`,
  stream: 'operational',
  context: { tourId: 't', showId: 's' },
});

/** The show mails' sender, writing each stale claim's mail again as it was. */
const showResender: Resender = {
  subjectType: 'show',
  rebuild: async (stale) => ({
    mails: new Map(
      stale.map((delivery): [string, OutgoingMail] => [
        delivery.deliveryId,
        {
          identity: delivery,
          stream: delivery.stream,
          template: templateNames.notice,
          data: { text: { body: 'Your advance, please' }, html: { body: 'Your advance, please' } },
          context: delivery.context,
        },
      ]),
    ),
  }),
};

describe('a stale claim taken over while the answer was lost', () => {
  it('is resent by the sweep that took it over, once', async () => {
    const clock = { now: claimedAt };
    const settings = defaultMailSettings(60);
    const { deps, mailer } = fakeMailDeps(() => new Date(clock.now), settings);
    const store = dynamoDeliveries(documentClient(), table.name);
    const mail = aShowMail();
    const claim = (await store.claim(mail, new Date(clock.now).toISOString()))!;
    const losing = answerLostOnce(documentClient(), UpdateCommand);
    // The open claims read as ever (paginateQuery takes only a DynamoDBDocumentClient itself).
    deps.deliveries = { ...dynamoDeliveries(losing.client, table.name), stale: store.stale };
    clock.now += settings.staleClaimMs + 60_000;

    await sweepStaleClaims(deps, showResender, clock.now + 60_000);
    const bySweep = mailer.receivedBy(mail.email).length;
    // The next sweep once the takeover is stale in its turn: the mail went, nothing is sent again.
    clock.now += settings.staleClaimMs + 60_000;
    await sweepStaleClaims(deps, showResender, clock.now + 60_000);

    expect(losing.lost()).toBe(true);
    expect({ bySweep, inAll: mailer.receivedBy(mail.email).length }).toEqual({ bySweep: 1, inAll: 1 });
    expect((await store.getMany([claim.deliveryId])).get(claim.deliveryId)).toMatchObject({
      status: 'sent',
      claimedAt: claim.claimedAt,
      resends: 1,
    });
  });

  it('is held by the sweep that held it', async () => {
    const store = dynamoDeliveries(documentClient(), table.name);
    const claim = (await store.claim(aShowMail(), new Date(claimedAt).toISOString()))!;
    const losing = answerLostOnce(documentClient(), UpdateCommand);
    const heldAt = new Date(claimedAt + 30 * 60_000).toISOString();

    const held = await dynamoDeliveries(losing.client, table.name).hold(claim, heldAt);

    expect(losing.lost()).toBe(true);
    expect(held).toBe(true);
    expect((await store.getMany([claim.deliveryId])).get(claim.deliveryId)).toEqual<Delivery>({
      ...claim,
      heldAt,
      updatedAt: heldAt,
    });
    // Another sweeper's hold of the claim as it was read is still refused.
    expect(await store.hold(claim, heldAt)).toBe(false);
  });
});
