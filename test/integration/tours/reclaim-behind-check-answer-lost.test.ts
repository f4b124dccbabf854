import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { moduleTourMailer } from '#functions/tours/mailer.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import { dynamoChangeSteps } from '#shared/db/change-steps.ts';
import { dynamoDeliveries, mailSubjects } from '#shared/db/deliveries.ts';
import {
  dynamoClaimAwaitingAdvance,
  dynamoNotePressAndClaim,
  dynamoPressNotes,
} from '#shared/db/press-notes.ts';
import { dynamoTours } from '#shared/db/tours.ts';
import { defaultMailSettings } from '#shared/mail/ports.ts';
import { fakeMailDeps } from '#test/support/announcer-fakes.ts';
import { documentClient, uniqueId } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';
import { answerLostOnce } from '#test/support/dynamo-errors.ts';
import { aShow, fakeToursDeps, storeTourWithShow } from '#test/support/tours.ts';

/**
 * docs/design.md#failures-and-retries, on DynamoDB Local: the sweep takes over an advance step's stale
 * claim to send it again in one transaction with the show's check (claimAwaitingAdvance), which is
 * applied and its answer lost; the SDK's retry is cancelled for a conflict and it goes again as a new
 * transaction, which the takeover its first try wrote refuses. Taken for another sweeper's takeover,
 * the promoter's request was not sent until the claim was stale again (some 28 minutes). The table is
 * the file's own: tours, shows and claims on DynamoDB Local, the rest fakes.
 */
const table = aTableOfItsOwn('backline-reclaim-check-lost');

describe('an advance step’s stale claim taken over behind its show’s check while the answer was lost', () => {
  it('is resent by the sweep that took it over, once', async () => {
    const now = { value: new Date('2027-04-16T10:00:00.000Z') };
    const settings = defaultMailSettings(60);
    const { deps: mail, mailer: ses } = fakeMailDeps(() => now.value, settings);
    mail.deliveries = dynamoDeliveries(documentClient(), table.name);
    const tours = {
      ...dynamoTours(documentClient(), table.name),
      ...dynamoPressNotes(documentClient(), table.name),
      ...dynamoChangeSteps(documentClient(), table.name),
    };
    const promoter = { name: 'Nachtkonzerte', email: `${uniqueId('p')}@promoter.example` };
    const { labelId, tourId, showId } = await storeTourWithShow(
      tours,
      aShow({ showId: uniqueId('show'), promoter }),
      '2027-04-01T10:00:00.000Z',
      { labelId: uniqueId('lbl'), tourId: uniqueId('tour') },
    );
    const losing = answerLostOnce(documentClient(), TransactWriteCommand);
    const deps = {
      ...fakeToursDeps(now).deps,
      tours,
      mailer: moduleTourMailer(
        mail,
        async () => 'https://b.example/u/x',
        60_000,
        dynamoNotePressAndClaim(documentClient(), table.name),
        dynamoClaimAwaitingAdvance(losing.client, table.name),
      ),
    };
    // The request, claimed by its step, then lost in a crash before SES's call.
    const claim = (await mail.deliveries.claim(
      {
        labelId,
        subject: mailSubjects.show(tourId, showId),
        email: promoter.email,
        kind: 'advance-request',
        stream: 'operational',
        context: { tourId, showId },
      },
      now.value.toISOString(),
    ))!;
    now.value = new Date(now.value.getTime() + settings.staleClaimMs + 60_000);

    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    const bySweep = ses.receivedBy(promoter.email, 'advance-request').length;
    // The next sweep once the takeover is stale in its turn: the mail went, nothing is sent again.
    now.value = new Date(now.value.getTime() + settings.staleClaimMs + 60_000);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);

    expect(losing.lost()).toBe(true);
    expect({ bySweep, inAll: ses.receivedBy(promoter.email, 'advance-request').length }).toEqual({
      bySweep: 1,
      inAll: 1,
    });
    expect((await mail.deliveries.getMany([claim.deliveryId])).get(claim.deliveryId)).toMatchObject({
      status: 'sent',
      resends: 1,
    });
  });
});
