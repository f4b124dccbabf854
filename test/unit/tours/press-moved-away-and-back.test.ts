import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import {
  announcedShow as announced,
  kindsToldDe,
  metaAt,
  raceAt,
  runDueSteps,
  stepsWritten,
  takeStepsWritten,
  toldDePressOf,
} from '#test/support/tours.ts';

/** The venue of `announced`, moved to Paris. */
const paris = { ...announced.venue, city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' };

/** A show moved away, back and away again: each stay is told it moved (docs/design.md#tours). */
describe('press: a show moved to Paris, back to Berlin, then to Paris again', () => {
  it('tells the German outlet, told of it back in Berlin, that it moved again', async () => {
    const { now, fakes, deps, mailer } = await toldDePressOf(announced);
    for (const show of [{ ...announced, venue: paris }, announced, { ...announced, venue: paris }]) {
      now.value = new Date(now.value.getTime() + 3600_000);
      await applyShowChange('tour-1', { type: 'set', show }, metaAt(now.value.toISOString()), deps);
      await runDueSteps(fakes, now);
    }
    // Announced in Berlin, moved, back in Berlin ("Changed"), and moved again: its last word is Paris.
    expect(kindsToldDe(mailer.ses)).toEqual([
      'press-announcement',
      'press-moved',
      'press-change',
      'press-moved',
    ]);
  });
});

/**
 * A show moved back to a country it left is noted there again, so moved away again it tells that press
 * it moved (docs/design.md#tours). Here the move back's step runs while the move away's step is still
 * at work: it has sent Germany's "Moved" and not yet forgotten Germany.
 */
describe('a show moved back to Berlin while the step of its move to Paris is still at work', () => {
  it('tells the German outlet, told of it back in Berlin, that it moved to Paris again', async () => {
    const { now, fakes, deps, mailer, tours } = await toldDePressOf(announced);
    const start = now.value.getTime();
    // The label sets `show` `minutes` after the outlet was told, the clock moved to then.
    const set = (show: typeof announced, minutes: number) => {
      now.value = new Date(start + minutes * 60_000);
      return applyShowChange('tour-1', { type: 'set', show }, metaAt(now.value.toISOString()), deps);
    };

    // Moved to Paris: its step sends Germany's "Moved"; between that send and forgetting Germany, the
    // label moves the show back to Berlin and that change's step is taken (it tells the outlet "Changed").
    await set({ ...announced, venue: paris }, 60);
    const toParis = stepsWritten(tours);
    const race = raceAt(tours, 'forgetPressCountry', async () => {
      await set(announced, 61);
      await takeStepsWritten(fakes);
    });
    for (const step of toParis) await takeStep(step, { correlationId: 'c' }, deps);
    race.unhook();

    // An hour later, to Paris again.
    await set({ ...announced, venue: paris }, 120);
    await takeStepsWritten(fakes);

    expect(kindsToldDe(mailer.ses)).toEqual([
      'press-announcement',
      'press-moved',
      'press-change',
      'press-moved',
    ]);
  });
});
