import { describe, expect, it } from 'vitest';
import { bookTour } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { listKept } from '#shared/db/context-lists.ts';
import {
  announcedInHamburg,
  announcedShow,
  aPressOutlet,
  fakeToursDeps,
  metaAt,
  runDueSteps,
  tourOf,
} from '#test/support/tours.ts';

/**
 * A booking's shows of one country are one press announcement (docs/design.md#tours), however long the
 * booking takes to write them: here the gathering window passes between its two shows' writes (a slow
 * or retried invocation; on the local cloud, a test moving the shared clock on), and every schedule
 * due by then fires before the second show is written.
 */
describe("a booking whose writes outlast the press's gathering window", () => {
  it("announces its shows of one country in one mail to each outlet, not the first alone and the second as 'New'", async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    fakes.outlets.push(aPressOutlet('de', ['DE']));
    const put = fakes.tours.putShowIfNewer.bind(fakes.tours);
    let writes = 0;
    fakes.tours.putShowIfNewer = async (...args) => {
      if (++writes === 2) {
        now.value = new Date('2027-02-02T00:05:00Z');
        for (const due of fakes.schedules.firing(now.value))
          await takeStep(due, { correlationId: 'c' }, fakes.deps);
      }
      return put(...args);
    };

    await bookTour(
      { ...tourOf([announcedShow, announcedInHamburg]), genres: ['synthpop'] },
      metaAt('2027-02-02T00:00:00Z'),
      fakes.deps,
    );
    await runDueSteps(fakes, now);

    expect(fakes.mailer.sent.map((mail) => [mail.to.email, mail.kind, listKept(mail.context.news)])).toEqual([
      ['de@press.example', 'press-announcement', ['show-1', 'show-2']],
    ]);
  });
});
