import { describe, expect, it } from 'vitest';
import { bookTour } from '#functions/tours/apply-change.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import { dynamoPressNotes } from '#shared/db/press-notes.ts';
import { dynamoTours } from '#shared/db/tours.ts';
import { documentClient } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';
import {
  aPressOutlet,
  aShow,
  cancelShow,
  fakeToursDeps,
  kindsToldDe,
  lostAnswers,
  metaAt,
  runDueSteps,
  tourOf,
} from '#test/support/tours.ts';

/** The press notes on DynamoDB Local (the rest of the tour store the unit tests' fake). */
const table = aTableOfItsOwn();

/** `count` announced shows in Germany, a day apart from 2027-05-01. */
const showsInGermany = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    aShow({
      showId: `show-${i + 1}`,
      date: new Date(Date.UTC(2027, 4, 1 + i)).toISOString().slice(0, 10),
      status: 'announced',
      announceAt: '2027-02-01T09:00:00.000Z',
    }),
  );

/**
 * docs/design.md#tours: a note whose mail is found sent is settled while each note still names that
 * set, a write conditional on each note it settles. A set may hold every show of a tour (200 a
 * booking): one write naming them all (two operators a note) is over DynamoDB's 300 operators and
 * 4 KB an expression, refused (ValidationException) on every retry, so the store settles 100 notes a
 * write.
 */
describe("a country's announcement of 200 shows whose SES answer was lost, resent and sent by the sweep", () => {
  it('still lets the cancellation of one of them be told to the outlet', { timeout: 120_000 }, async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    const notes = {
      ...dynamoTours(documentClient(), table.name),
      ...dynamoPressNotes(documentClient(), table.name),
    };
    fakes.tours.pressTold = notes.pressTold;
    fakes.tours.recordPressTold = notes.recordPressTold;
    fakes.tours.settlePressTold = notes.settlePressTold;
    fakes.outlets.push(aPressOutlet('de', ['DE']));
    // The German outlet's announcement of the 200 shows claimed, SES's answer lost (nothing sent).
    fakes.mailer.ses.script = lostAnswers;
    await bookTour(
      { ...tourOf(showsInGermany(200)), genres: ['synthpop'] },
      metaAt('2027-02-02T00:00:00Z'),
      fakes.deps,
    );
    await runDueSteps(fakes, now);
    fakes.mailer.ses.script = undefined;
    const failures: string[] = [];
    // A day later the sweep sends the stale announcement again, and SES takes it: sent, for good.
    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    await sweepStaleTourMail(fakes.deps, now.value.getTime() + 60_000).catch((error) =>
      failures.push(`sweep: ${error}`),
    );
    expect(kindsToldDe(fakes.mailer.ses)).toEqual(['press-announcement']);

    // An hour later show-1 is cancelled: its press-cancellation step tells those told of it.
    now.value = new Date(now.value.getTime() + 3600_000);
    await cancelShow(fakes, 'show-1', now.value.toISOString()).catch((error) =>
      failures.push(`press-cancellation step: ${error}`),
    );

    expect({
      failures,
      received: kindsToldDe(fakes.mailer.ses),
    }).toEqual({ failures: [], received: ['press-announcement', 'press-cancellation'] });
  });
});
