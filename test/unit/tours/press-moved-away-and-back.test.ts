import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { aShow, metaAt, runDueSteps, toldDePressOf } from '#test/support/tours.ts';

/** A show moved away, back and away again: each stay is told it moved (docs/design.md#tours). */
describe('press: a show moved to Paris, back to Berlin, then to Paris again', () => {
  const announced = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });

  it('tells the German outlet, told of it back in Berlin, that it moved again', async () => {
    const { now, fakes, deps, mailer } = await toldDePressOf(announced);
    const paris = { ...announced.venue, city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' };
    for (const show of [{ ...announced, venue: paris }, announced, { ...announced, venue: paris }]) {
      now.value = new Date(now.value.getTime() + 3600_000);
      await applyShowChange('tour-1', { type: 'set', show }, metaAt(now.value.toISOString()), deps);
      await runDueSteps(fakes, now);
    }
    // Announced in Berlin, moved, back in Berlin ("Changed"), and moved again: its last word is Paris.
    expect(mailer.ses.receivedBy('de@press.example').map((m) => m.kind)).toEqual([
      'press-announcement',
      'press-moved',
      'press-change',
      'press-moved',
    ]);
  });
});
