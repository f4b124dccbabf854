import { describe, expect, it } from 'vitest';
import type { Notice } from '#shared/mail/data.ts';
import { announcedShow as announced, changeAt, runDueSteps, toldDePressOf } from '#test/support/tours.ts';

/**
 * A tour's press "Changed" mail states the show as the address was told it beside the show as it now is:
 * a journalist needs the old date and venue to find what to correct (docs/design.md#tours).
 */

const sectionsOf = (mail: { data: { text: unknown } }) => (mail.data.text as Notice).sections ?? [];

describe('an announced show told to the German press, moved to another date and venue', () => {
  it('tells the outlet "Changed" with the date and venue it was told, and the new ones', async () => {
    const { now, fakes, deps, mailer } = await toldDePressOf(announced);

    await changeAt({ now, deps }, '2027-02-10T00:00:00.000Z', {
      type: 'set',
      show: { ...announced, date: '2027-05-21', venue: { ...announced.venue, name: 'Huxleys' } },
    });
    await runDueSteps(fakes, now);

    const change = mailer.sent.find((mail) => mail.kind === 'press-change')!;
    const [before, after] = sectionsOf(change);
    expect(before.title).toBe('Before');
    expect(before.rows.map((row) => row.value)).toEqual([
      expect.stringMatching(`^${announced.venue.name}, Berlin`),
    ]);
    expect(after.title).toBe('Now');
    expect(after.rows.map((row) => row.value)).toEqual([expect.stringMatching(/^Huxleys, Berlin/)]);
    expect(before.rows[0].label).not.toBe(after.rows[0].label);
  });

  it('states no earlier show to an address told another version than the one the change replaced', async () => {
    const { now, fakes, deps, mailer } = await toldDePressOf(announced);
    const huxleys = { ...announced, date: '2027-05-21', venue: { ...announced.venue, name: 'Huxleys' } };
    // Two changes before the first one's step runs: the address was told the first show, not the second.
    await changeAt({ now, deps }, '2027-02-10T00:00:00.000Z', { type: 'set', show: huxleys });
    await changeAt({ now, deps }, '2027-02-10T00:01:00.000Z', {
      type: 'set',
      show: { ...huxleys, date: '2027-05-22' },
    });
    await runDueSteps(fakes, now);

    const changes = mailer.sent.filter((mail) => mail.kind === 'press-change');
    expect(changes).toHaveLength(1);
    expect(sectionsOf(changes[0]).map((section) => section.title)).toEqual(['Now']);
  });
});
