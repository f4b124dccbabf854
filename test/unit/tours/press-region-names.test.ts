import { afterEach, describe, expect, it, vi } from 'vitest';
import { pressMail } from '#functions/tours/press.ts';
import type { Notice } from '#shared/mail/data.ts';
import { aShow, aStoredTour } from '#test/support/tours.ts';

const occurredAt = '2027-01-01T00:00:00.000Z';

const mailIn = (country: string, kind: 'announcement' | 'moved', show = aShow({ status: 'announced' })) => {
  const mail = pressMail(
    aStoredTour,
    { id: 'out-1', name: 'Radio Eins', email: 'news@radioeins.example' },
    country,
    kind,
    [{ show, occurredAt }],
    [{ show, occurredAt }],
    kind === 'moved' ? { toldSince: occurredAt, now: occurredAt } : { now: occurredAt },
  );
  return (mail.data as { text: Notice }).text;
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe("press mail's country names", () => {
  it('names countries in English with one Intl.DisplayNames, built on the first mail and reused by every later one', () => {
    const built = vi.spyOn(Intl, 'DisplayNames');

    const announced = mailIn('DE', 'announcement');
    const moved = mailIn('FR', 'moved');

    expect(announced.subject).toBe('The Midnight Echoes live in Germany: Berlin 2027-05-14');
    expect(moved.subject).toBe('Moved: The Midnight Echoes no longer in France: Berlin 2027-05-14');
    expect(moved.lines[0]).toContain(
      'has moved to Berlin, Germany: please disregard our announcement of it in France.',
    );
    expect(built).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['GB', 'the United Kingdom'],
    ['US', 'the United States'],
    ['NL', 'the Netherlands'],
    ['PH', 'the Philippines'],
    ['BS', 'the Bahamas'],
    ['BQ', 'the Caribbean Netherlands'],
    ['CZ', 'Czechia'],
    ['DE', 'Germany'],
  ])(
    'puts "the" before a name that takes it in a sentence (%s: in %s), not where it ends an address',
    (country, named) => {
      const inLondon = aShow({
        status: 'announced',
        venue: { ...aShow().venue, name: 'Olympia', city: 'London', country },
      });

      const announced = mailIn(country, 'announcement', inLondon);
      const moved = mailIn('FR', 'moved', inLondon);

      expect(announced.subject).toBe(`The Midnight Echoes live in ${named}: London 2027-05-14`);
      expect(announced.lines[0]).toContain(`will play one show in ${named}.`);
      expect(moved.lines[0]).toContain(`has moved to London, ${named.replace(/^the /, '')}: please`);
    },
  );
});
