import { describe, expect, it } from 'vitest';
import { wallTimeIn } from '#shared/calendar.ts';
import type { ShowStep } from '#shared/events/show-step-due.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import { advanceLockAt, showInstant, stepMoment } from '#shared/tours.ts';
import { withBrowser } from '#test/support/browser.ts';
import { readCalendar } from '#test/support/calendar.ts';
import { advanceClock, api, armFault, busEvents, busIdle, uniqueId, waitFor } from '#test/support/cloud.ts';
import { aDomain } from '#test/support/outlets-cloud.ts';
import {
  aLabel,
  aPromoter,
  aTourShow,
  aVenue,
  bookedInParis,
  linkIn,
  mailsTo,
  nextDstChange,
  plusDays,
  sendWebhook,
  showStepSchedule,
  showView,
  tourView,
  tourWebhook,
  waitForMailTo,
} from '#test/support/tours-cloud.ts';

/**
 * A tour advanced end to end on the local cloud: webhooks in, schedules in the venues' zones, the
 * clock advanced through the steps, mail read back from the SES store, the promoter's form and the
 * tour manager's page driven in headless Chromium. The tests of this file run in order on one tour.
 */

const at = (instant: string, minutes = 1) =>
  new Date(new Date(instant).getTime() + minutes * 60_000).toISOString();

const chromium = withBrowser();

describe('advancing a tour on the local cloud', () => {
  const promoterA = aPromoter('Quiet');
  const promoterB = aPromoter('Keen');
  const tourManager = { name: 'Sam Reyes', email: `${uniqueId('tm')}@tm.example`, phone: '+44 20 7946 0000' };
  const crew = { name: 'Jo Kim', email: `${uniqueId('crew')}@crew.example` };
  const tourId = uniqueId('tour');
  let label: { id: string; secret: string };
  let shows: { berlin: Show; newYork: Show; tokyo: Show; hamburg: Show };
  let booking: Record<string, unknown>;
  let bookedAt: string;
  const ref = (show: Show) => ({ labelId: label.id, tourId, showId: show.showId });
  const moment = (show: Show, step: ShowStep) => stepMoment(show, step);

  /** The `at()` naming, in UTC, the instant of a wall time at the show's venue. */
  const utcAt = (date: string, time: string, show: { venue: { timeZone: string } }) =>
    `at(${new Date(wallTimeIn(date, time, show.venue.timeZone).epochMs).toISOString().slice(0, 19)})`;

  it('books four shows in three time zones and schedules each step at its local time in the venue zone', async () => {
    label = await aLabel();
    // Europe/Berlin changes to or from summer time between the Berlin show's advance request and its day.
    const dstChange = await nextDstChange('Europe/Berlin', 40);
    shows = {
      berlin: aTourShow({
        date: plusDays(dstChange, 3),
        venue: aVenue('Berlin', 'DE', 'Europe/Berlin'),
        promoter: promoterA,
      }),
      newYork: aTourShow({
        date: plusDays(dstChange, 5),
        venue: aVenue('New York', 'US', 'America/New_York'),
        promoter: promoterB,
      }),
      tokyo: aTourShow({
        date: plusDays(dstChange, 7),
        venue: aVenue('Tokyo', 'JP', 'Asia/Tokyo'),
        promoter: promoterA,
      }),
      hamburg: aTourShow({
        date: plusDays(dstChange, 9),
        venue: aVenue('Hamburg', 'DE', 'Europe/Berlin'),
        promoter: promoterB,
      }),
    };
    booking = {
      tourId,
      artist: { name: 'The Midnight Echoes' },
      genres: ['synthpop'],
      tourManager,
      crew: [crew],
      currency: 'EUR',
      shows: Object.values(shows),
    };

    bookedAt = (await tourWebhook(label, 'tour.booked', booking)).timestamp;
    await busIdle();

    const request = await waitFor(() => showStepSchedule(ref(shows.berlin), 'advance-request'), {
      what: 'schedule',
    });
    const daySheet = await showStepSchedule(ref(shows.berlin), 'day-sheet');
    const tokyo = await showStepSchedule(ref(shows.tokyo), 'advance-request');
    // Each at its local time in the venue's zone, named as that instant in UTC (docs/design.md#schedules).
    expect(request).toMatchObject({
      ScheduleExpression: utcAt(plusDays(shows.berlin.date, -28), '10:00', shows.berlin),
      ScheduleExpressionTimezone: 'UTC',
    });
    expect(daySheet?.ScheduleExpression).toBe(utcAt(plusDays(shows.berlin.date, -1), '18:00', shows.berlin));
    // The same 10:00 at the venue is another UTC offset on each side of the change.
    expect(new Date(moment(shows.berlin, 'advance-request').scheduledFor).getUTCHours()).not.toBe(
      new Date(
        stepMoment({ ...shows.berlin, date: plusDays(shows.berlin.date, 28) }, 'advance-request')
          .scheduledFor,
      ).getUTCHours(),
    );
    expect(tokyo?.ScheduleExpression).toBe(utcAt(plusDays(shows.tokyo.date, -28), '10:00', shows.tokyo));
    const view = await tourView(label.id, tourId);
    expect(view.body.shows.map((s) => [s.showId, s.status, s.advance])).toEqual([
      [shows.berlin.showId, 'confirmed', 'not-requested'],
      [shows.newYork.showId, 'confirmed', 'not-requested'],
      [shows.tokyo.showId, 'confirmed', 'not-requested'],
      [shows.hamburg.showId, 'confirmed', 'not-requested'],
    ]);
  });

  it('moves the schedules of a show moved by a week and deletes those of a cancelled show', async () => {
    const moved = { ...shows.tokyo, date: plusDays(shows.tokyo.date, 7) };

    await tourWebhook(label, 'tour.show.updated', { tourId, show: moved }, 1);
    await tourWebhook(
      label,
      'tour.show.cancelled',
      { tourId, showId: shows.hamburg.showId, reason: 'Venue closed' },
      1,
    );
    await busIdle();

    const tokyoRequest = await waitFor(
      async () => {
        const schedule = await showStepSchedule(ref(moved), 'advance-request');
        return schedule?.ScheduleExpression === utcAt(plusDays(moved.date, -28), '10:00', moved) && schedule;
      },
      { what: 'the moved schedule' },
    );
    expect(tokyoRequest).toBeTruthy();
    await waitFor(async () => (await showStepSchedule(ref(shows.hamburg), 'advance-request')) === undefined, {
      what: 'the cancelled show to lose its schedules',
    });
    expect(await showStepSchedule(ref(shows.hamburg), 'day-sheet')).toBeUndefined();
    shows.tokyo = moved;
  });

  it('mails each promoter the advance request with a personal link at 10:00 at the venue, 28 days out', async () => {
    await advanceClock(at(moment(shows.newYork, 'advance-request').scheduledFor));

    const [toA] = await waitForMailTo(promoterA.email, 'Advance for');
    const [toB] = await waitForMailTo(promoterB.email, 'Advance for');
    expect(toA.subject).toContain('Berlin');
    expect(linkIn(toA, 'a')).toContain('/a/');
    expect(toB.subject).toContain('New York');
    expect(await mailsTo(promoterB.email, 'Hamburg')).toEqual([]);
    const requested = await busEvents({ detailType: 'Advance Requested' });
    expect(requested.filter((e) => e.detail.data?.tourId === tourId)).toHaveLength(2);
  });

  it('takes the advance through the form in headless Chromium, amends it, and shows a clear page for a forged link', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const [request] = await mailsTo(promoterB.email, 'Advance for');
    const link = linkIn(request, 'a');
    const page = await chromium.browser.newPage({ viewport: { width: 390, height: 844 } });

    await page.goto(link);
    expect(await page.textContent('h1')).toContain('Advance: The Midnight Echoes at New York Hall');
    expect(await page.textContent('dl')).toContain('19:00 America/New_York');
    const answers: Record<string, string> = {
      loadInAccess: 'Loading dock on 2nd Avenue',
      parking: 'One bus, one van',
      power: '200 A three-phase',
      backline: 'Drum riser only',
      hospitality: 'Dinner for 10 at 18:00',
      dressingRooms: 'Two, with showers',
      wifi: 'hall-artists / pw on site',
      merchSplit: '85/15',
      merchSeller: 'Venue seller',
      guestListAllotment: '25',
      localCrewCall: '6 loaders at 14:00',
      settlementMethod: 'Wire after the show',
      settlementCurrency: 'usd',
      dayContactName: 'Lee Park',
      dayContactPhone: '+1 212 555 0100',
    };
    for (const [field, value] of Object.entries(answers)) await page.fill(`#${field}`, value);
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Advance received');
    // Answered with a redirect: reloading the thanks records nothing again (one Show Advanced, below).
    await page.reload();
    expect(await page.textContent('h1')).toBe('Advance received');

    await page.goto(link);
    expect(await page.inputValue('#settlementCurrency')).toBe('USD');
    await page.fill('#power', '400 A three-phase');
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Advance updated');

    const forged = await page.goto(`${link.slice(0, -4)}AAAA`);
    expect(forged?.status()).toBe(404);
    expect(await page.textContent('h1')).toBe('This link does not work');
    await page.close();

    const show = await showView(label.id, tourId, shows.newYork.showId);
    expect(show.body).toMatchObject({
      advance: 'submitted',
      advanceAnswers: {
        power: '400 A three-phase',
        settlementCurrency: 'USD',
        dayContact: { name: 'Lee Park' },
      },
    });
    // Show Advanced goes out through the outbox (the table's stream): read the bus once that has run.
    await busIdle();
    const advanced = await busEvents({ detailType: 'Show Advanced' });
    expect(
      advanced
        .filter((e) => e.detail.data?.showId === shows.newYork.showId)
        .map((e) => e.detail.data?.amended),
    ).toEqual([false, true]);
  });

  it('refuses a submission without the form token of its link', async () => {
    const [request] = await mailsTo(promoterB.email, 'Advance for');

    const response = await fetch(linkIn(request, 'a'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'power=hijacked',
    });

    expect(response.status).toBe(403);
    expect(await response.text()).toContain('Please reload the page');
  });

  it('reminds the silent promoter twice and escalates to the tour manager, and sends the other no reminder', async () => {
    await advanceClock(at(moment(shows.newYork, 'advance-escalation').scheduledFor));

    const reminders = await waitForMailTo(
      promoterA.email,
      'Reminder: advance for The Midnight Echoes at Berlin',
      2,
    );
    const [escalation] = await waitForMailTo(tourManager.email, 'Advance overdue');
    expect(reminders).toHaveLength(2);
    expect(escalation.subject).toContain('Berlin');
    expect(escalation.body.text).toContain(promoterA.email);
    expect(await mailsTo(promoterB.email, 'Reminder')).toEqual([]);
    expect(await mailsTo(tourManager.email, 'Advance overdue: The Midnight Echoes at New York')).toEqual([]);
    const view = await tourView(label.id, tourId);
    expect(Object.fromEntries(view.body.shows.map((s) => [s.showId, s.advance]))).toMatchObject({
      [shows.berlin.showId]: 'overdue',
      [shows.newYork.showId]: 'submitted',
    });
  });

  it("takes guests through the API and the tour manager's page, mails the day sheet, then locks the list at the cutoff", async (context) => {
    const added = await api(`/labels/${label.id}/tours/${tourId}/shows/${shows.berlin.showId}/guests`, {
      method: 'POST',
      json: { guests: [{ name: 'Alex Doe', plusOnes: 1 }] },
    });
    expect(added.status).toBe(201);
    if (chromium.browser) {
      const view = await tourView(label.id, tourId);
      const page = await chromium.browser.newPage({ viewport: { width: 390, height: 844 } });
      await page.goto(view.body.tourManagerPage);
      await page.fill(`#name-${shows.berlin.showId}`, 'Robin Roe');
      await Promise.all([page.waitForLoadState('load'), page.click(`#show-${shows.berlin.showId} button`)]);
      expect(await page.textContent('[role=status]')).toContain('Added to the guest list for');
      expect(await page.textContent(`#show-${shows.berlin.showId}`)).toContain('Robin Roe');
      // The add was answered with a redirect: reloading the page adds nobody again (the sheet counts 3).
      await page.reload();
      await page.close();
    } else {
      await api(`/labels/${label.id}/tours/${tourId}/shows/${shows.berlin.showId}/guests`, {
        method: 'POST',
        json: { guests: [{ name: 'Robin Roe' }] },
      });
    }

    await advanceClock(at(moment(shows.berlin, 'day-sheet').scheduledFor));
    const [sheet] = await waitForMailTo(tourManager.email, 'Day sheet: The Midnight Echoes at Berlin');
    await waitForMailTo(crew.email, 'Day sheet: The Midnight Echoes at Berlin');
    expect(sheet.body.text).toContain('Doors: 19:00 Europe/Berlin');
    expect(sheet.body.text).toContain(`Promoter: Quiet, ${promoterA.email}`);
    expect(sheet.body.text).toContain('not submitted by the promoter');
    expect(sheet.body.text).toContain('Guests: 3');
    expect(sheet.body.text).toContain('Travel time: not known');
    expect(linkIn(sheet, 'tm')).toContain('/tm/');

    await advanceClock(at(moment(shows.berlin, 'guest-list-cutoff').scheduledFor));
    const [list] = await waitForMailTo(promoterA.email, 'Guest list: The Midnight Echoes at Berlin');
    expect(list.body.text).toContain('Alex Doe: +1');
    expect(list.body.text).toContain('Robin Roe: no plus-one');
    const late = await api(`/labels/${label.id}/tours/${tourId}/shows/${shows.berlin.showId}/guests`, {
      method: 'POST',
      json: { guests: [{ name: 'Too Late' }] },
    });
    expect(late.status).toBe(409);
    expect(((await late.json()) as { message: string }).message).toContain('the guest list is closed');
    if (!chromium.browser) return context.skip(chromium.skip);
  });

  it('serves the itinerary and one show as iCalendar', async () => {
    const itinerary = await api(`/labels/${label.id}/tours/${tourId}/itinerary.ics`);
    const one = await api(`/labels/${label.id}/tours/${tourId}/shows/${shows.berlin.showId}.ics`);

    const text = await itinerary.text();
    expect(itinerary.headers.get('content-type')).toContain('text/calendar');
    expect(text.match(/BEGIN:VEVENT/g)).toHaveLength(4);
    // Each show at its venue's local time and the right instant (one across a DST change).
    expect(
      readCalendar(text)
        .map((e) => [e.zone, e.localStart, e.start])
        .sort(),
    ).toEqual(
      Object.values(shows)
        .map((s) => [
          s.venue.timeZone,
          `${s.date}T${s.times.doors}:00`,
          showInstant(s, s.times.doors ?? '')
            .replace('Z', '.000Z')
            .replace('.000.000Z', '.000Z'),
        ])
        .sort(),
    );
    expect(await one.text()).toContain('SUMMARY:The Midnight Echoes at Berlin Hall\\, Berlin');
  });

  it('keeps the promoter directory from the webhooks', async () => {
    // The directory a page at a time: other tests' promoters may come before this one.
    let promoter: { promoterId: string; email: string } | undefined;
    let cursor: string | undefined;
    do {
      const page = (await (
        await api(`/promoters?${new URLSearchParams(cursor ? { cursor } : {})}`)
      ).json()) as {
        promoters: { promoterId: string; email: string }[];
        nextCursor?: string;
      };
      promoter = page.promoters.find((p) => p.email === promoterA.email);
      cursor = page.nextCursor;
    } while (!promoter && cursor);

    const detail = (await (await api(`/promoters/${promoter?.promoterId}`)).json()) as {
      shows: { showId: string; advance: string }[];
    };

    expect(detail.shows.map((s) => [s.showId, s.advance])).toEqual([
      [shows.berlin.showId, 'overdue'],
      [shows.tokyo.showId, expect.any(String)],
    ]);
  });

  it('sends nothing new for a repeated tour.booked', async () => {
    const before =
      (await mailsTo(promoterA.email)).length +
      (await mailsTo(promoterB.email)).length +
      (await mailsTo(tourManager.email)).length;

    // The same booking delivered again (a label's retry under a new webhook id).
    const repeated = await sendWebhook(label, { type: 'tour.booked', timestamp: bookedAt, data: booking });
    await busIdle();

    const after =
      (await mailsTo(promoterA.email)).length +
      (await mailsTo(promoterB.email)).length +
      (await mailsTo(tourManager.email)).length;
    expect(repeated.status).toBe(202);
    expect(after).toBe(before);
    expect(await showStepSchedule(ref(shows.hamburg), 'day-sheet')).toBeUndefined();
    expect((await showView(label.id, tourId, shows.tokyo.showId)).body.date).toBe(shows.tokyo.date);
  });
});

describe('a promoter who cannot be reached', () => {
  it('alerts the tour manager at once when the advance request bounces, and sends the promoter nothing more', async () => {
    const label = await aLabel();
    const tourId = uniqueId('tour');
    const tourManager = { name: 'Ana Ruiz', email: `${uniqueId('tm')}@tm.example` };
    const promoter = {
      name: 'Gone Promotions',
      email: `bounce+${uniqueId('promoter')}@simulator.amazonses.com`,
    };

    const show = await bookedInParis(label, tourId, tourManager, promoter);

    const [alert] = await waitForMailTo(
      tourManager.email,
      'Promoter cannot be reached: Lowlight at Paris Hall',
    );
    expect(alert.body.text).toContain(promoter.email);
    expect(alert.body.text).toContain('the address bounced');
    expect(await mailsTo(promoter.email, 'Advance for Lowlight')).toHaveLength(1);
    const undeliverable = await busEvents({ detailType: 'Mail Undeliverable' });
    expect(undeliverable.filter((e) => e.detail.data?.address === promoter.email.toLowerCase())).toEqual([
      expect.objectContaining({
        detail: expect.objectContaining({
          data: expect.objectContaining({
            kind: 'advance-request',
            context: { tourId, showId: show.showId },
          }),
        }),
      }),
    ]);
    await advanceClock(at(stepMoment(show, 'advance-escalation').scheduledFor));
    await busIdle();
    expect(await mailsTo(promoter.email)).toHaveLength(1);
    expect(await mailsTo(tourManager.email, 'Advance overdue')).toHaveLength(1);
    expect(await mailsTo(tourManager.email, 'Promoter cannot be reached')).toHaveLength(1);
  });
  it('alerts the tour manager again when the show, given to another promoter after midnight on its day, finds them unreachable too', async () => {
    const label = await aLabel();
    const tourId = uniqueId('tour');
    const tourManager = { name: 'Ana Ruiz', email: `${uniqueId('tm')}@tm.example` };
    const gone = { name: 'Gone Promotions', email: `bounce+${uniqueId('promoter')}@simulator.amazonses.com` };
    const stand = { name: 'Stand-in Live', email: `bounce+${uniqueId('promoter')}@simulator.amazonses.com` };
    const show = await bookedInParis(label, tourId, tourManager, gone);
    await waitForMailTo(tourManager.email, 'Promoter cannot be reached: Lowlight at Paris Hall');

    // 02:00 in Paris on show day: the form is locked, and the label gives the show to a stand-in, whose
    // address bounces too when the guest list goes to them at the cutoff (17:00).
    await advanceClock(at(advanceLockAt(show), 120));
    await tourWebhook(label, 'tour.show.updated', { tourId, show: { ...show, promoter: stand } });
    await busIdle();
    await advanceClock(at(stepMoment(show, 'guest-list-cutoff').scheduledFor));

    const alerts = await waitForMailTo(tourManager.email, 'Promoter cannot be reached', 2, 60_000);
    expect(alerts.map((alert) => alert.body.text?.includes(stand.email))).toEqual([false, true]);
    expect(await mailsTo(stand.email, 'Guest list')).toHaveLength(1);
  }, 300_000);
  it('alerts the tour manager at once when SES refuses the advance request for good', async () => {
    const label = await aLabel();
    const tourId = uniqueId('tour');
    const tourManager = { name: 'Ana Ruiz', email: `${uniqueId('tm')}@tm.example` };
    // The promoter's own domain: the refusal is aimed at this request, not at another file's mail on the shared cloud.
    const domain = aDomain('request-refused');
    const promoter = { name: 'Refused Promotions', email: `${uniqueId('promoter')}@${domain}` };
    await armFault(`ses.reject-entry:${domain}`);

    const show = await bookedInParis(label, tourId, tourManager, promoter);

    const [alert] = await waitForMailTo(
      tourManager.email,
      'Promoter cannot be reached: Lowlight at Paris Hall',
    );
    await busIdle();
    expect(alert.body.text).toContain(promoter.email);
    expect(alert.body.text).toContain('SES refused the mail for good (MESSAGE_REJECTED');
    expect(await mailsTo(promoter.email)).toEqual([]);
    const undeliverable = (await busEvents({ detailType: 'Mail Undeliverable' })).filter(
      (e) => e.detail.data?.address === promoter.email,
    );
    expect(undeliverable.map((e) => [e.source, e.detail.data])).toEqual([
      [
        'backline.tours',
        expect.objectContaining({
          kind: 'advance-request',
          reason: 'refused',
          context: { tourId, showId: show.showId },
        }),
      ],
    ]);
    expect(await mailsTo(tourManager.email, 'Promoter cannot be reached')).toHaveLength(1);
  });
});
