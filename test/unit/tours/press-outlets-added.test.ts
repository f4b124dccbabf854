import { describe, expect, it } from 'vitest';
import { bookTour } from '#functions/tours/apply-change.ts';
import { pressForChangedOutlets } from '#functions/tours/outlets-changed.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { listKept } from '#shared/db/context-lists.ts';
import type { EventData, ShowStepDue } from '#shared/events/index.ts';
import { readCalendar } from '#test/support/calendar.ts';
import {
  announcedInHamburg,
  announcedInMunich,
  announcedShow,
  aPressOutlet,
  cancelShow,
  fakeToursDeps,
  metaAt,
  runDueSteps,
  tourOf,
} from '#test/support/tours.ts';

/**
 * Outlets added to the directory after a tour's press went out (`Outlets Changed`) are told what a first
 * mail would have told them: each country's announcement of the shows still to come (docs/design.md#tours).
 */

const paris = {
  ...announcedShow,
  showId: 'show-4',
  date: '2027-05-18',
  venue: { ...announcedShow.venue, name: 'Olympia', city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' },
};

async function world() {
  const now = { value: new Date('2027-01-10T00:00:00Z') };
  const fakes = fakeToursDeps(now);
  fakes.outlets.push(aPressOutlet('de', ['DE']));
  await bookTour(
    { ...tourOf([announcedShow, announcedInHamburg, announcedInMunich, paris]), genres: ['synthpop'] },
    metaAt('2027-01-10T00:00:00Z'),
    fakes.deps,
  );
  now.value = new Date('2027-02-01T09:00:00Z');
  await runDueSteps(fakes, now);
  await cancelShow(fakes, 'show-3', '2027-03-01T00:00:00Z');
  fakes.tours.outbox.splice(0);
  fakes.mailer.sent.splice(0);
  // Berlin's show (14 May) is over; Hamburg's (15 May) is still to come.
  now.value = new Date('2027-05-15T05:00:00Z');
  fakes.outlets.push(
    aPressOutlet('late-de', ['DE']),
    aPressOutlet('late-ww', ['WW']),
    aPressOutlet('late-jazz', ['DE'], { genres: ['jazz'] }),
    aPressOutlet('late-jp', ['JP']),
    aPressOutlet('late-gone', ['DE'], { unsubscribedAt: '2027-05-01T00:00:00Z' }),
  );
  const added = ['late-de', 'late-ww', 'late-jazz', 'late-jp', 'late-gone'];
  /** The Outlets Changed naming the outlets added, delivered, and the steps it asks taken. */
  const deliver = async () => {
    await pressForChangedOutlets(added, { correlationId: 'c' }, fakes.deps);
    const steps = fakes.tours.outbox
      .splice(0)
      .map((entry) => entry.detail.data as EventData<typeof ShowStepDue>);
    for (const step of steps) await takeStep(step, { correlationId: 'c' }, fakes.deps);
    return steps;
  };
  return { ...fakes, deliver };
}

const summaries = (mail: { attachments?: { content: string | Uint8Array }[] }) =>
  readCalendar(String(mail.attachments?.[0].content)).map((event) => event.summary);

describe('press for outlets added after it went out', () => {
  it("tells each matching outlet its country's announcement of the shows still to come, once, with their calendar", async () => {
    const { deliver, mailer, tours } = await world();

    const steps = await deliver();

    expect(steps.map((step) => [step.step, step.showId, step.outletIds])).toEqual([
      ['press-announcement', 'show-2', ['late-de', 'late-ww']],
      ['press-announcement', 'show-4', ['late-ww']],
    ]);
    expect(mailer.sent.map((mail) => [mail.to.email, mail.kind, listKept(mail.context.listed)])).toEqual([
      ['late-de@press.example', 'press-announcement', ['show-2']],
      ['late-ww@press.example', 'press-announcement', ['show-2']],
      ['late-ww@press.example', 'press-announcement', ['show-4']],
    ]);
    expect(summaries(mailer.sent[0])).toEqual(['The Midnight Echoes at Docks, Hamburg']);
    expect(summaries(mailer.sent[2])).toEqual(['The Midnight Echoes at Olympia, Paris']);
    // The step's own firing stays as it was recorded.
    expect(tours.outbox).toEqual([]);
  });

  it('sends nothing more when the event is delivered again', async () => {
    const { deliver, mailer } = await world();
    await deliver();

    await deliver();

    expect(mailer.sent).toHaveLength(3);
  });
});
