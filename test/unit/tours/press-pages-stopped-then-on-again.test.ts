import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import type { EventData, ShowStepDue } from '#shared/events/index.ts';
import { aPressOutlet, aShow, cancelShow, fakeToursDeps, metaAt, tourOf } from '#test/support/tours.ts';

/**
 * A show's press announcement going out page by page (each invocation out of time after its page, so
 * the step continues itself through the outbox, docs/design.md#the-outbox), the show cancelled between
 * two pages, so that its announcement stops, then set on again: its press is announced again, and
 * goes on to the end of the directory.
 */
describe('press to a directory of several pages, the show cancelled mid-way and on again', () => {
  it('announces the show to the outlets its first announcement never reached', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const { deps, mailer, outlets, tours, schedules } = fakeToursDeps(now);
    deps.settings.pressPageSize = 2;
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    outlets.push(...ids.map((id) => aPressOutlet(id, ['DE'])));
    const berlin = aShow({ status: 'announced' });
    await bookTour({ ...tourOf([berlin]), genres: ['synthpop'] }, metaAt('2027-02-02T00:00:00Z'), deps);
    tours.outbox.splice(0);
    // A press step and the steps it puts on the bus after it, each out of time after its first page.
    const taken: string[] = [];
    const follow = async (due: EventData<typeof ShowStepDue> | undefined, pages: number) => {
      for (let page = 0; due && page < pages; page++) {
        const { outcome } = await takeStep(due, { correlationId: 'c' }, deps, now.value.getTime());
        taken.push(`${due.cursor ?? 'first'}: ${outcome}`);
        due = tours.outbox
          .splice(0)
          .map((entry) => entry.detail.data as EventData<typeof ShowStepDue>)
          .find((data) => data.step === 'press-announcement' && data.cursor);
      }
      return due;
    };
    const gathered = () => {
      now.value = new Date(now.value.getTime() + 5 * 60_000);
      return schedules.firing(now.value).find((due) => due.step === 'press-announcement');
    };

    // Two pages out (a, b; c, d), the step on the bus for the third.
    const third = await follow(gathered(), 2);
    await cancelShow({ deps, tours }, 'show-1', '2027-02-03T00:00:00Z');
    tours.outbox.splice(0);
    await follow(third, 1);
    await applyShowChange('tour-1', { type: 'set', show: berlin }, metaAt('2027-02-04T00:00:00Z'), deps);
    // Its steps written with the change (the press hears it is on again), then its press announcement, due again.
    for (const entry of tours.outbox.splice(0).filter((e) => e.detailType === 'Show Step Due'))
      await takeStep(entry.detail.data as EventData<typeof ShowStepDue>, { correlationId: 'c' }, deps);
    await follow(gathered(), 10);

    const announced = mailer.sent.filter((mail) => mail.kind === 'press-announcement');
    // The first firing stopped at the third page (the show cancelled), the one after the show is on again went on.
    expect(taken.slice(0, 3)).toEqual(['first: continued', '2: continued', '4: ignored']);
    expect(announced.map((mail) => mail.to.email).sort()).toEqual(ids.map((id) => `${id}@press.example`));
  });
});
