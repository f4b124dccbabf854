import { describe, expect, it } from 'vitest';
import { bookTour, type ShowChange } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { alertPromoterUnreachable } from '#functions/tours/unreachable.ts';
import { MailUndeliverable } from '#shared/events/index.ts';
import { stepMoment } from '#shared/tours.ts';
import {
  aShow,
  changeAt,
  fakeToursDeps,
  metaAt,
  ref,
  stepsWritten,
  takeShowStep,
  tourOf,
} from '#test/support/tours.ts';

// docs/design.md#two-mail-streams: a promoter's address that bounces (or is suppressed when a step mails it)
// tells the tour manager at once. The label then gives the show to another promoter, as the tour manager
// asked; when that promoter's address cannot be reached either, the tour manager must hear of it too:
// the alert is once per show and promoter (its identity names `promoterSince`, as the escalation's does),
// not once per show for good.
const show = aShow();
const promoterB = { name: 'Lichtspiel Live', email: 'b@lichtspiel.example' };
/** The label gives show-1 to promoter B. */
const toPromoterB: ShowChange = { type: 'set', show: { ...show, promoter: promoterB } };
const undeliverable = (address: string) => ({
  ...MailUndeliverable.sample,
  labelId: 'lbl-1',
  address,
  subject: ['show', 'tour-1', 'show-1'],
  kind: 'advance-request',
  context: { tourId: 'tour-1', showId: 'show-1' },
});
const alertsOf = (sent: { kind: string; to: { email: string }; data: unknown }[]) =>
  sent
    .filter((mail) => mail.kind === 'promoter-unreachable')
    .map((mail) => [mail.to.email, JSON.stringify(mail.data).includes(promoterB.email) ? 'B' : 'A']);

describe("the tour manager's alert that a show's promoter cannot be reached", () => {
  it('is sent again when the show, given to another promoter, finds that promoter unreachable too (a bounce)', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, mailer, suppressed } = fakeToursDeps(now);
    await bookTour(tourOf([show]), metaAt('2027-01-01T00:00:00Z'), deps);
    suppressed.add(show.promoter.email);
    await alertPromoterUnreachable(undeliverable(show.promoter.email), deps);

    await changeAt({ now, deps }, '2027-01-02T00:00:00Z', toPromoterB);
    suppressed.add(promoterB.email);
    await alertPromoterUnreachable(undeliverable(promoterB.email), deps);
    await alertPromoterUnreachable(undeliverable(promoterB.email), deps);

    expect(alertsOf(mailer.sent)).toEqual([
      ['sam@tm.example', 'A'],
      ['sam@tm.example', 'B'],
    ]);
  });

  it('is sent again when the show is given to another promoter on its day, after midnight at the venue', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, mailer, suppressed, tours } = fakeToursDeps(now);
    await bookTour(tourOf([show]), metaAt('2027-01-01T00:00:00Z'), deps);
    suppressed.add(show.promoter.email);
    await alertPromoterUnreachable(undeliverable(show.promoter.email), deps);

    // 08:00 in Berlin on show day: the form is locked (its answers stand), but the show is promoter B's.
    await changeAt({ now, deps }, '2027-05-14T06:00:00Z', toPromoterB);
    suppressed.add(promoterB.email);
    await alertPromoterUnreachable(undeliverable(promoterB.email), deps);

    expect(alertsOf(mailer.sent)).toEqual([
      ['sam@tm.example', 'A'],
      ['sam@tm.example', 'B'],
    ]);
    expect((await tours.getShow(ref()))?.promoterSince).toBe('2027-05-14T06:00:00Z');
  });

  it('is sent again when the new promoter of the show is suppressed as its advance request goes', async () => {
    const now = { value: new Date(stepMoment(show, 'advance-request').scheduledFor) };
    const { deps, mailer, suppressed, tours } = fakeToursDeps(now);
    await bookTour(tourOf([show]), metaAt('2027-01-01T00:00:00Z'), deps);
    stepsWritten(tours);
    suppressed.add(show.promoter.email);
    await takeShowStep({ deps }, 'advance-request', now.value.toISOString());

    // The label gives the show to promoter B, whose address bounced on press mail: the request due at once
    // is left out, and the tour manager is told instead.
    suppressed.add(promoterB.email);
    await changeAt({ now, deps }, new Date(now.value.getTime() + 60 * 60_000).toISOString(), toPromoterB);
    for (const step of stepsWritten(tours).filter((due) => due.step === 'advance-request'))
      await takeStep(step, { correlationId: 'c' }, deps);

    expect(alertsOf(mailer.sent)).toEqual([
      ['sam@tm.example', 'A'],
      ['sam@tm.example', 'B'],
    ]);
  });
});

describe('a bounce that comes after the show it was about was given to another promoter', () => {
  it("tells the tour manager of the bounced promoter's other shows still ahead, not of the show they left", async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, mailer, suppressed } = fakeToursDeps(now);
    const other = aShow({ showId: 'show-2', date: '2027-05-20' });
    await bookTour(tourOf([show, other]), metaAt('2027-01-01T00:00:00Z'), deps);
    // The label gives show-1 to promoter B; promoter A keeps show-2. A permanent bounce of A's mail about
    // show-1 (SES reports one after its retries, hours later) arrives after the change.
    await changeAt({ now, deps }, '2027-01-02T00:00:00Z', toPromoterB);
    suppressed.add(show.promoter.email);
    await alertPromoterUnreachable(undeliverable(show.promoter.email), deps);

    expect(
      mailer.sent.filter((mail) => mail.kind === 'promoter-unreachable').map((mail) => mail.context.showId),
    ).toEqual(['show-2']);
  });
});
