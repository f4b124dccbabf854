import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import {
  aPressOutlet,
  aShow,
  fakeToursDeps,
  lostAnswers,
  metaAt,
  runDueSteps,
  tourOf,
} from '#test/support/tours.ts';

/**
 * An address counts as told of a show in a country only once the mail that told it was sent
 * (docs/design.md#tours): an announcement noted while its claim was open (SES's answer lost) whose
 * mail then never reached SES (the sweep's resend refused for good) leaves the address told of
 * nothing, for the country's next announcement as for a move.
 */
describe('an announcement noted while claimed that never reached SES', () => {
  const announced = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });

  /** DE press told of `announced` with SES's answer lost, then the sweep's resend refused for good. */
  async function announcementNeverReached() {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    fakes.outlets.push(aPressOutlet('de', ['DE']));
    fakes.mailer.ses.script = lostAnswers;
    await bookTour(
      { ...tourOf([announced]), genres: ['synthpop'] },
      metaAt('2027-02-02T00:00:00Z'),
      fakes.deps,
    );
    await runDueSteps(fakes, now);
    fakes.mailer.ses.script = (mail) => mail.entries.map(() => ({ status: 'MESSAGE_REJECTED' }));
    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    await sweepStaleTourMail(fakes.deps, now.value.getTime() + 60_000);
    fakes.mailer.ses.script = undefined;
    return { now, fakes };
  }

  const setShow = async (world: Awaited<ReturnType<typeof announcementNeverReached>>, show: Show) => {
    await applyShowChange(
      'tour-1',
      { type: 'set', show },
      metaAt(world.now.value.toISOString()),
      world.fakes.deps,
    );
    await runDueSteps(world.fakes, world.now);
  };

  it("is announced the country's shows, the one it never heard of included, when another show comes", async () => {
    const world = await announcementNeverReached();

    await setShow(world, { ...announced, showId: 'show-2', date: '2027-05-20' });

    const press = world.fakes.mailer.sent.filter((m) => m.to.email === 'de@press.example');
    expect(press.map((m) => [m.kind, m.context.news])).toEqual([['press-announcement', 'show-1,show-2']]);
  });

  it('hears nothing when the show it never heard of moves to another country', async () => {
    const world = await announcementNeverReached();

    await setShow(world, {
      ...announced,
      venue: { ...announced.venue, city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' },
    });

    expect(world.fakes.mailer.ses.receivedBy('de@press.example')).toEqual([]);
  });
});
