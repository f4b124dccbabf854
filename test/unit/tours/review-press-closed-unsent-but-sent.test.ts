import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import { moduleTourMailer } from '#functions/tours/mailer.ts';
import type { ToursDeps } from '#functions/tours/ports.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import { timeoutSeconds } from '#infra/function-settings.ts';
import { defaultMailSettings } from '#shared/mail/ports.ts';
import { settleFromEmailsSent } from '#shared/mail/settle.ts';
import { emailSent, fakeMailDeps } from '#test/support/announcer-fakes.ts';
import {
  aPressOutlet,
  aShow,
  fakeToursDeps,
  metaAt,
  runDueSteps,
  takeStepsWritten,
  tourOf,
} from '#test/support/tours.ts';

const announced = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });

/**
 * A press mail closed unsent by the stale-claim sweep whose late Email Sent showed it went reached its
 * address (wentOut, docs/design.md#exactly-once-mail): the steps after count what it told.
 */
describe('review: a press announcement the sweep closed unsent, whose late Email Sent showed it went', () => {
  it("is followed by the show's new doors when the show, cancelled meanwhile, is set on again with them", async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const world = fakeToursDeps(now);
    world.outlets.push(aPressOutlet('de', ['DE']));
    // The press through the mail module, its delivery store at hand for the Email Sent that comes late.
    const { deps: mail, mailer: ses } = fakeMailDeps(
      () => now.value,
      defaultMailSettings(timeoutSeconds.tours),
    );
    const deps: ToursDeps = {
      ...world.deps,
      mailer: moduleTourMailer(mail, async () => 'https://b.example/u/x', timeoutSeconds.tours * 1000),
    };
    const fakes = { ...world, deps };
    // SES sends the announcement and its answer is lost: the claim stays open.
    ses.script = (_mail, call) => (call === 1 ? 'accept-then-fail' : (undefined as never));
    await bookTour({ ...tourOf([announced]), genres: ['synthpop'] }, metaAt('2027-02-02T00:00:00Z'), deps);
    await runDueSteps(fakes, now);
    const [announcement] = ses.receivedBy('de@press.example');

    // A day later (the claim stale, no Email Sent yet) the show is cancelled: its step takes the outlet
    // as never told. The sweep then closes the announcement unsent (its show cancelled).
    now.value = new Date('2027-02-03T00:00:00Z');
    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: 'show-1' },
      metaAt(now.value.toISOString()),
      deps,
    );
    await takeStepsWritten(fakes);
    expect(await sweepStaleTourMail(deps, now.value.getTime() + 60_000)).toEqual({ resent: 0, closed: 1 });
    // Its Email Sent comes now: it went (recorded on the closed claim, markSentAfterClosed).
    await settleFromEmailsSent([emailSent(announcement)], mail);

    // On again, doors at 20:00: the outlet, told doors at 19:00, hears of the change.
    now.value = new Date('2027-02-04T00:00:00Z');
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...announced, times: { ...announced.times, doors: '20:00' } } },
      metaAt(now.value.toISOString()),
      deps,
    );
    await takeStepsWritten(fakes);

    expect(ses.receivedBy('de@press.example').map((m) => m.kind)).toEqual([
      'press-announcement',
      'press-change',
    ]);
  });
});
