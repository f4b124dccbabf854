import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import { moduleTourMailer } from '#functions/tours/mailer.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import { daySheetWork, takeStep } from '#functions/tours/steps.ts';
import { mailSubjects } from '#shared/db/deliveries.ts';
import { promoterIdOf } from '#shared/db/tours.ts';
import { defaultMailSettings } from '#shared/mail/ports.ts';
import { stepMoment } from '#shared/tours.ts';
import { fakeMailDeps } from '#test/support/announcer-fakes.ts';
import { aShow, fakeToursDeps, metaAt, ref, tourOf } from '#test/support/tours.ts';

describe('show mail whose claim went stale, swept after the show changed', () => {
  it("sends the tour manager one day sheet for the show's new day, not also the old day's stale claim rewritten for it", async () => {
    const now = { value: new Date('2027-05-13T15:50:00Z') };
    const { deps: mail, mailer: ses } = fakeMailDeps(() => now.value, defaultMailSettings(60));
    const world = fakeToursDeps(now);
    const deps = {
      ...world.deps,
      mailer: moduleTourMailer(mail, async () => 'https://b.example/u/x', 60_000),
    };
    const booked = aShow({ date: '2027-05-14' });
    await bookTour(tourOf([booked]), metaAt('2027-01-01T00:00:00Z'), deps);
    // The day sheet of the 14th was claimed for the tour manager, then the invocation died before SES.
    const oldDay = stepMoment(booked, 'day-sheet').scheduledFor;
    await mail.deliveries.claim(
      {
        labelId: 'lbl-1',
        subject: mailSubjects.show('tour-1', 'show-1', oldDay),
        email: 'sam@tm.example',
        kind: 'day-sheet',
        stream: 'operational',
        context: { tourId: 'tour-1', showId: 'show-1' },
      },
      oldDay,
    );
    // Minutes later the show is postponed a week, and the step's retry finds it moved.
    now.value = new Date('2027-05-13T16:05:00Z');
    await applyShowChange(
      'tour-1',
      { type: 'set', show: aShow({ date: '2027-05-21' }) },
      metaAt('2027-05-13T16:05:00Z'),
      deps,
    );
    await takeStep({ ...ref(), step: 'day-sheet', scheduledFor: oldDay }, { correlationId: 'c' }, deps);

    now.value = new Date('2027-05-13T17:00:00Z');
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    // The new day's sheet, at its moment.
    const newDay = stepMoment(aShow({ date: '2027-05-21' }), 'day-sheet').scheduledFor;
    now.value = new Date(newDay);
    await takeStep({ ...ref(), step: 'day-sheet', scheduledFor: newDay }, { correlationId: 'c' }, deps);

    const sheets = ses.calls.filter(
      (call) => call.kind === 'day-sheet' && call.entries.some((e) => e.email === 'sam@tm.example'),
    );
    // Each sheet sent to the tour manager: the day it states (the stale claim was the 14th's).
    expect(sheets.map((call) => JSON.stringify(call.entries[0].data).match(/\d+ May 2027/)?.[0])).toEqual([
      '21 May 2027',
    ]);
  });

  it("sends the tour manager a later change's updated day sheet once, not also an earlier change's stale claim rewritten with it", async () => {
    const now = { value: new Date('2027-05-13T16:00:00Z') };
    const { deps: mail, mailer: ses } = fakeMailDeps(() => now.value, defaultMailSettings(60));
    const world = fakeToursDeps(now);
    const deps = {
      ...world.deps,
      mailer: moduleTourMailer(mail, async () => 'https://b.example/u/x', 60_000),
    };
    const booked = aShow({ date: '2027-05-14' });
    await bookTour(tourOf([booked]), metaAt('2027-01-01T00:00:00Z'), deps);
    const day = stepMoment(booked, 'day-sheet').scheduledFor;
    await takeStep({ ...ref(), step: 'day-sheet', scheduledFor: day }, { correlationId: 'c' }, deps);
    // Doors move: the update for that change is claimed for the tour manager, then the invocation dies before SES.
    const first = '2027-05-13T17:00:00.000Z';
    now.value = new Date(first);
    await applyShowChange(
      'tour-1',
      { type: 'set', show: aShow({ times: { ...booked.times, doors: '19:30' } }) },
      metaAt(first),
      deps,
    );
    const [tour, stored] = await Promise.all([
      world.tours.getTour('lbl-1', 'tour-1'),
      world.tours.getShow(ref()),
    ]);
    const { mails } = await daySheetWork(
      tour!,
      stored as Parameters<typeof daySheetWork>[1],
      deps,
      { correlationId: 'c', labelId: 'lbl-1' },
      first,
    );
    const update = mails.find((m) => m.to.email === 'sam@tm.example')!;
    await mail.deliveries.claim(
      {
        labelId: 'lbl-1',
        subject: update.subject,
        email: 'sam@tm.example',
        kind: update.kind,
        stream: 'operational',
        context: update.context,
      },
      first,
    );
    // Minutes later the set moves too, and that change's update goes out.
    const second = '2027-05-13T17:10:00.000Z';
    now.value = new Date(second);
    await applyShowChange(
      'tour-1',
      { type: 'set', show: aShow({ times: { ...booked.times, doors: '19:30', set: '21:30' } }) },
      metaAt(second),
      deps,
    );
    await takeStep(
      { ...ref(), step: 'day-sheet-update', scheduledFor: second },
      { correlationId: 'c' },
      deps,
    );

    now.value = new Date('2027-05-13T18:00:00Z');
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);

    // The later change's update states both changes; the earlier one's claim is closed, not sent as a copy of it.
    const updates = ses.calls.filter(
      (call) => call.kind === 'day-sheet-update' && call.entries.some((e) => e.email === 'sam@tm.example'),
    );
    expect(updates).toHaveLength(1);
  });

  it('does not send the promoter a reminder whose claim went stale once their advance is in', async () => {
    const now = { value: new Date('2027-04-23T07:50:00Z') };
    const { deps: mail, mailer: ses } = fakeMailDeps(() => now.value, defaultMailSettings(60));
    const world = fakeToursDeps(now);
    const deps = {
      ...world.deps,
      mailer: moduleTourMailer(mail, async () => 'https://b.example/u/x', 60_000),
    };
    const booked = aShow({ date: '2027-05-14' });
    await bookTour(tourOf([booked]), metaAt('2027-01-01T00:00:00Z'), deps);
    // The first reminder (21 days before, 10:00 in Berlin) was claimed, then the invocation died before SES.
    const reminder = stepMoment(booked, 'advance-reminder-1').scheduledFor;
    await mail.deliveries.claim(
      {
        labelId: 'lbl-1',
        subject: mailSubjects.show('tour-1', 'show-1'),
        email: 'booking@nacht.example',
        kind: 'advance-reminder-1',
        stream: 'operational',
        context: { tourId: 'tour-1', showId: 'show-1' },
      },
      reminder,
    );
    // Minutes later the promoter submits the advance from the request's link.
    now.value = new Date('2027-04-23T08:05:00Z');
    await world.tours.saveAdvance(
      { ...ref(), promoterId: promoterIdOf(booked.promoter.email) },
      {
        loadInAccess: 'Back door',
        parking: 'Two',
        power: '63 A',
        backline: 'None',
        wifi: 'guest',
        hospitality: 'Dinner',
        dressingRooms: 'Two',
        merchSplit: '80/20',
        merchSeller: 'Venue',
        guestListAllotment: 20,
        localCrewCall: '4',
        settlementMethod: 'Transfer',
        settlementCurrency: 'EUR',
        dayContact: { name: 'Kim', phone: '+49 30 1' },
      },
      now.value.toISOString(),
      () => [],
    );

    now.value = new Date('2027-04-23T09:00:00Z');
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);

    // "We have not yet received the advance" would be false: the advance steps stop once it is in.
    expect(ses.delivered.filter((m) => m.kind === 'advance-reminder-1')).toEqual([]);
  });

  it('does not send the promoter an advance request whose claim went stale once the show is on hold', async () => {
    const now = { value: new Date('2027-04-16T08:00:00Z') };
    const { deps: mail, mailer: ses } = fakeMailDeps(() => now.value, defaultMailSettings(60));
    const world = fakeToursDeps(now);
    const deps = {
      ...world.deps,
      mailer: moduleTourMailer(mail, async () => 'https://b.example/u/x', 60_000),
    };
    const booked = aShow({ date: '2027-05-14' });
    await bookTour(tourOf([booked]), metaAt('2027-01-01T00:00:00Z'), deps);
    // The request was claimed, then the invocation died before SES.
    await mail.deliveries.claim(
      {
        labelId: 'lbl-1',
        subject: mailSubjects.show('tour-1', 'show-1'),
        email: 'booking@nacht.example',
        kind: 'advance-request',
        stream: 'operational',
        context: { tourId: 'tour-1', showId: 'show-1' },
      },
      now.value.toISOString(),
    );
    // Minutes later the label puts the show on hold: nobody is to be asked for its advance.
    now.value = new Date('2027-04-16T08:05:00Z');
    await applyShowChange(
      'tour-1',
      { type: 'set', show: aShow({ status: 'hold' }) },
      metaAt('2027-04-16T08:05:00Z'),
      deps,
    );

    now.value = new Date('2027-04-16T09:00:00Z');
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);

    expect(ses.delivered.filter((m) => m.kind === 'advance-request')).toEqual([]);
  });
});
