import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { openAdvancePage, submitAdvancePage } from '#functions/recipients/tour-links.ts';
import { dynamoTours, promoterIdOf, type TourStore } from '#shared/db/tours.ts';
import { csrfTokenFor, signAdvanceToken } from '#shared/tokens.ts';
import { advanceLinkExpiry, advanceSteps } from '#shared/tours.ts';
import { cloud, documentClient, uniqueId } from '#test/support/cloud.ts';
import { aShow, filledAdvanceForm, storeTourWithShow } from '#test/support/tours.ts';

/**
 * A show given to another promoter, or cancelled, while the promoter's advance form is being posted,
 * on DynamoDB Local: the post, read before the change, must save nothing (no answers, no Show
 * Advanced), whenever the change lands (docs/design.md#tours, #signed-pages).
 */
const key = 'k'.repeat(48);
const now = '2027-04-20T10:00:00.000Z';

async function aBookedShow(tours: TourStore) {
  const ref = { labelId: uniqueId('lbl'), tourId: uniqueId('tour'), showId: uniqueId('show') };
  const show = aShow({
    showId: ref.showId,
    promoter: { name: 'Old Promoter', email: `${uniqueId('old')}@promoter.example` },
  });
  const stored = await storeTourWithShow(tours, show, now, ref);
  const token = signAdvanceToken(key, {
    ...ref,
    promoterId: stored.promoterId,
    expiresAt: advanceLinkExpiry(show),
  });
  /** The label gives the show to another promoter (as tours applies it: the old answers forgotten). */
  const giveToAnotherPromoter = async () => {
    const promoter = { name: 'New Promoter', email: `${uniqueId('new')}@promoter.example` };
    await dynamoTours(documentClient(), cloud().tableName).putShowIfNewer(
      {
        ...stored,
        show: { ...show, promoter },
        promoterId: promoterIdOf(promoter.email),
        occurredAt: '2027-01-02T00:00:00.000Z',
        lastEventId: uniqueId('evt'),
      },
      [],
      { steps: [...advanceSteps], advance: true },
    );
  };
  /** The label cancels the show (as tours applies it). */
  const cancel = async () => {
    await dynamoTours(documentClient(), cloud().tableName).putShowIfNewer(
      {
        ...stored,
        show: { ...show, status: 'cancelled' },
        occurredAt: '2027-01-02T00:00:00.000Z',
        lastEventId: uniqueId('evt'),
      },
      [],
    );
  };
  /** The label moves the show to another venue (as tours applies it). */
  const move = async () => {
    await dynamoTours(documentClient(), cloud().tableName).putShowIfNewer(
      {
        ...stored,
        show: { ...show, venue: { ...show.venue, name: 'Tempodrom', address: 'Möckernstraße 10' } },
        occurredAt: '2027-01-02T00:00:00.000Z',
        lastEventId: uniqueId('evt'),
      },
      [],
    );
  };
  return { ref, token, giveToAnotherPromoter, cancel, move };
}

/** `tours` whose read of a show lets `change` land just after it (before the post goes on). */
const changingAfterTheRead = (tours: TourStore, change: () => Promise<void>): TourStore => ({
  ...tours,
  getShow: async (r) => {
    const stored = await tours.getShow(r);
    await change();
    return stored;
  },
});

/** A document client whose first transaction (the advance's write) lets `change` land just before it. */
function changingBeforeTheWrite(change: () => Promise<void>) {
  const db = documentClient();
  const state = { raced: false };
  const racingDb = {
    send: async (command: unknown) => {
      if (command instanceof TransactWriteCommand && !state.raced) {
        state.raced = true;
        await change();
      }
      return db.send(command as never);
    },
  } as unknown as DynamoDBDocumentClient;
  return { tours: dynamoTours(racingDb, cloud().tableName), state };
}

const filled = (token: string) =>
  filledAdvanceForm(csrfTokenFor(key, token), { power: 'OLD PROMOTER 63 A', settlementCurrency: 'EUR' });

const depsWith = (tours: TourStore) => ({ signingKey: async () => key, tours, now: () => new Date(now) });

describe('an advance posted by a promoter the show was since taken from', () => {
  it("refuses the old promoter's post when the show changes hands after the form read it, saving nothing", async () => {
    const tours = dynamoTours(documentClient(), cloud().tableName);
    const { ref, token, giveToAnotherPromoter } = await aBookedShow(tours);
    // The POST reads the show (still the old promoter's), then the change lands before the write.
    const racing = changingAfterTheRead(tours, giveToAnotherPromoter);

    const { page, saved } = await submitAdvancePage(token, filled(token), depsWith(racing));

    expect(saved).toBeUndefined();
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('no longer valid for this show');
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
  });

  it("refuses the old promoter's post when the show changes hands between the store's read and its write, saving nothing", async () => {
    const { ref, token, giveToAnotherPromoter } = await aBookedShow(
      dynamoTours(documentClient(), cloud().tableName),
    );
    // The change lands just before the advance's own write: only a condition on that write holds it.
    const { tours, state } = changingBeforeTheWrite(giveToAnotherPromoter);

    const { page, saved } = await submitAdvancePage(token, filled(token), depsWith(tours));

    expect(state.raced).toBe(true);
    expect(saved).toBeUndefined();
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('no longer valid for this show');
    expect((await dynamoTours(documentClient(), cloud().tableName).getShow(ref))?.advance).toBeUndefined();
  });
});

describe('an advance posted while the show is cancelled', () => {
  it('refuses the post when the cancellation lands after the form read the show, saving nothing', async () => {
    const tours = dynamoTours(documentClient(), cloud().tableName);
    const { ref, token, cancel } = await aBookedShow(tours);
    const racing = changingAfterTheRead(tours, cancel);

    const { page, saved } = await submitAdvancePage(token, filled(token), depsWith(racing));

    expect(saved).toBeUndefined();
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('cancelled');
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
  });

  it("refuses the post when the cancellation lands between the store's read and its write, saving nothing (its Show Advanced goes in the same write)", async () => {
    const { ref, token, cancel } = await aBookedShow(dynamoTours(documentClient(), cloud().tableName));
    const { tours, state } = changingBeforeTheWrite(cancel);

    const { page, saved } = await submitAdvancePage(token, filled(token), depsWith(tours));

    expect(state.raced).toBe(true);
    expect(saved).toBeUndefined();
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('cancelled');
    expect((await dynamoTours(documentClient(), cloud().tableName).getShow(ref))?.advance).toBeUndefined();
  });
});

describe('an advance posted while the label moves the show', () => {
  /** The form as the promoter filled it in, stating the show as it was when they opened it. */
  const filledAsOpened = async (token: string, tours: TourStore) => {
    const opened = String((await openAdvancePage(token, depsWith(tours))).body);
    return new URLSearchParams({
      ...Object.fromEntries(new URLSearchParams(filled(token))),
      show: /name="show" value="([0-9a-f]+)"/.exec(opened)?.[1] ?? '',
    }).toString();
  };

  it('answers the form again, stating the show as it is now, when the move lands after the form read the show, saving nothing', async () => {
    const tours = dynamoTours(documentClient(), cloud().tableName);
    const { ref, token, move } = await aBookedShow(tours);
    const body = await filledAsOpened(token, tours);

    const { page, saved } = await submitAdvancePage(token, body, depsWith(changingAfterTheRead(tours, move)));

    expect(saved).toBeUndefined();
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain('The show changed since this form was opened');
    expect(page.body).toContain('Tempodrom');
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
  });

  it("answers the form again when the move lands between the store's read and its write, saving nothing (its Show Advanced goes in the same write)", async () => {
    const plain = dynamoTours(documentClient(), cloud().tableName);
    const { ref, token, move } = await aBookedShow(plain);
    const body = await filledAsOpened(token, plain);
    const { tours, state } = changingBeforeTheWrite(move);

    const { page, saved } = await submitAdvancePage(token, body, depsWith(tours));

    expect(state.raced).toBe(true);
    expect(saved).toBeUndefined();
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain('Tempodrom');
    expect((await plain.getShow(ref))?.advance).toBeUndefined();
  });
});
