import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import { takeStep } from '#functions/tours/steps.ts';
import {
  aPressOutlet,
  aShow,
  fakeToursDeps,
  lostAnswers,
  metaAt,
  runDueSteps,
  stepsWritten,
  toldDePressOf,
  tourOf,
} from '#test/support/tours.ts';

/** What an outlet is told when press mails' claims go stale: the sweep, the notes' before chain (docs/design.md#tours). */
describe('press notes: a stale claim closed still tells what stands, a bounded before chain, no stale announcement of a cancelled show', () => {
  const announced = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });

  const toldDePress = () => toldDePressOf(announced);

  it('a cancellation and its "back on" with other facts both left claimed (answers lost): the outlet is still told the new facts', async () => {
    const { now, deps, mailer, tours } = await toldDePress();
    mailer.ses.script = lostAnswers;
    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: 'show-1' },
      metaAt('2027-02-03T00:00:00Z'),
      deps,
    );
    for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);
    // Set on again minutes later, with doors at 20:00: the cancellation's claim is open and fresh.
    const moved = { ...announced, times: { ...announced.times, doors: '20:00' } };
    await applyShowChange('tour-1', { type: 'set', show: moved }, metaAt('2027-02-03T00:01:00Z'), deps);
    for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);
    mailer.ses.script = undefined;

    // Neither mail reached SES (no Email Sent): both claims go stale and the sweep runs.
    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    const swept = await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    // Both stale claims are closed unsent (the 'Cancelled' and the 'Back on'); no 'Changed' exists to send.
    expect(swept).toEqual({ resent: 0, closed: 2 });
    // Nothing else happens to the show: any later step there is (none is due for press).
    for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);

    const press = mailer.ses.receivedBy('de@press.example').map((m) => m.kind);
    // It was told doors at 19:00 (the announcement); the show stands with doors at 20:00. Some mail must say so.
    expect(press.filter((kind) => kind !== 'press-announcement')).not.toEqual([]);
  });

  it("a note's `before` chain stays within DynamoDB's 32 levels of nesting when its older mails' claims are long stale", async () => {
    const { now, deps, mailer, tours } = await toldDePress();
    // SES's answers are lost for a while (timeouts); the label keeps adjusting the doors, 20 minutes
    // apart (within the stale window of the change just before, long past that of the earlier ones).
    mailer.ses.script = lostAnswers;
    const start = new Date('2027-02-03T00:00:00Z').getTime();
    for (let change = 0; change < 40; change++) {
      const at = new Date(start + change * 20 * 60_000);
      now.value = at;
      const doors = `19:${String(change + 10).padStart(2, '0')}`;
      await applyShowChange(
        'tour-1',
        { type: 'set', show: { ...announced, times: { ...announced.times, doors } } },
        metaAt(at.toISOString()),
        deps,
      );
      for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);
    }
    const depthOf = (statement: unknown): number =>
      statement && typeof statement === 'object' && 'before' in statement
        ? 1 + depthOf((statement as { before: unknown }).before)
        : 0;
    const told = [...tours.told.values()].find((t) => t.email === 'de@press.example');
    // stated:<showId> is a map at level 1; each `before` one more: DynamoDB refuses an item nested deeper than 32.
    expect(depthOf(told?.stated?.['show-1'])).toBeLessThan(31);
  });

  it('an announcement left claimed, the show cancelled after its claim went stale: the sweep does not announce the cancelled show with no word of its cancellation', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    const { deps, mailer, tours } = fakes;
    fakes.outlets.push(aPressOutlet('de', ['DE']));
    mailer.ses.script = lostAnswers;
    await bookTour({ ...tourOf([announced]), genres: ['synthpop'] }, metaAt('2027-02-02T00:00:00Z'), deps);
    await runDueSteps(fakes, now);
    mailer.ses.script = undefined;
    stepsWritten(tours);

    // The announcement's claim goes stale; before the sweep's next run the label cancels the show.
    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: 'show-1' },
      metaAt(now.value.toISOString()),
      deps,
    );
    for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);

    const press = mailer.ses.receivedBy('de@press.example').map((m) => m.kind);
    // Told nothing (the cancellation skipped it as never announced to), then announced a cancelled show.
    expect(press).not.toEqual(['press-announcement']);
  });

  it('a stale announcement of two shows, one cancelled since: the sweep announces the other alone, and its notes count it as told', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    const { deps, mailer, tours } = fakes;
    fakes.outlets.push(aPressOutlet('de', ['DE']));
    const other = aShow({ ...announced, showId: 'show-2', date: '2027-05-16' });
    mailer.ses.script = lostAnswers;
    await bookTour(
      { ...tourOf([announced, other]), genres: ['synthpop'] },
      metaAt('2027-02-02T00:00:00Z'),
      deps,
    );
    await runDueSteps(fakes, now);
    mailer.ses.script = undefined;
    stepsWritten(tours);

    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: 'show-1' },
      metaAt(now.value.toISOString()),
      deps,
    );
    for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);
    expect(await sweepStaleTourMail(deps, now.value.getTime() + 60_000)).toEqual({ resent: 0, closed: 1 });
    // One announcement, of the show still on (its mail names each show it lists: city and date).
    expect(mailer.ses.receivedBy('de@press.example').map((m) => m.kind)).toEqual(['press-announcement']);
    const sheet = JSON.stringify(mailer.ses.calls.at(-1));
    expect([sheet.includes('Berlin 2027-05-16'), sheet.includes('Berlin 2027-05-14')]).toEqual([true, false]);

    // The show announced is then retimed: the outlet, told of it, hears the change.
    const at = new Date(now.value.getTime() + 3600_000);
    now.value = at;
    const retimed = { ...other, times: { ...other.times, doors: '20:00' } };
    await applyShowChange('tour-1', { type: 'set', show: retimed }, metaAt(at.toISOString()), deps);
    for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);
    expect(mailer.ses.receivedBy('de@press.example').map((m) => m.kind)).toEqual([
      'press-announcement',
      'press-change',
    ]);
  });

  it('a stale announcement of two shows, one moved to France since: the sweep announces the other alone, after the move', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    const { deps, mailer, tours } = fakes;
    fakes.outlets.push(aPressOutlet('de', ['DE']));
    const other = aShow({ ...announced, showId: 'show-2', date: '2027-05-16' });
    mailer.ses.script = lostAnswers;
    await bookTour(
      { ...tourOf([announced, other]), genres: ['synthpop'] },
      metaAt('2027-02-02T00:00:00Z'),
      deps,
    );
    await runDueSteps(fakes, now);
    mailer.ses.script = undefined;
    stepsWritten(tours);

    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    const paris = { ...announced.venue, city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' };
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...announced, venue: paris } },
      metaAt(now.value.toISOString()),
      deps,
    );
    await runDueSteps(fakes, now);
    expect(await sweepStaleTourMail(deps, now.value.getTime() + 60_000)).toEqual({ resent: 0, closed: 1 });
    // The move, then one announcement of the show still in Germany (not 'live in Germany' of Paris).
    expect(mailer.ses.receivedBy('de@press.example').map((m) => m.kind)).toEqual([
      'press-moved',
      'press-announcement',
    ]);
    const sheet = JSON.stringify(mailer.ses.calls.at(-1));
    expect([sheet.includes('Berlin 2027-05-16'), sheet.includes('Paris 2027-05-14')]).toEqual([true, false]);
  });

  it('a stale change of a show moved to France since: the sweep closes it, and the outlet hears "moved" once', async () => {
    const { now, deps, mailer, tours } = await toldDePress();
    now.value = new Date(now.value.getTime() + 3600_000);
    mailer.ses.script = lostAnswers;
    const retimed = { ...announced, times: { ...announced.times, doors: '20:00' } };
    await applyShowChange('tour-1', { type: 'set', show: retimed }, metaAt(now.value.toISOString()), deps);
    for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);
    mailer.ses.script = undefined;
    now.value = new Date(now.value.getTime() + 60_000);
    const paris = { ...announced.venue, city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' };
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...retimed, venue: paris } },
      metaAt(now.value.toISOString()),
      deps,
    );
    for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);

    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    expect(await sweepStaleTourMail(deps, now.value.getTime() + 60_000)).toEqual({ resent: 0, closed: 1 });
    expect(mailer.ses.receivedBy('de@press.example').map((m) => m.kind)).toEqual([
      'press-announcement',
      'press-moved',
    ]);
  });
});
