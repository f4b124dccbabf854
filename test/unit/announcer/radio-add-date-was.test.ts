import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { mailTemplates, templateNames } from '#shared/mail/templates.ts';
import {
  aLabelAndItsGermanRadio,
  aLabelAndItsPress,
  type FakeWorld,
  germanAddDateMovedTo12March,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';
import { anOutlet, servicedWithGermanAddDate } from '#test/support/releases.ts';

/**
 * A moved add date's mail gives the add date it replaces beside the new one: a programmer plans by
 * both (docs/design.md#radio-servicing).
 */

// As SES renders stored templates: Handlebars, built-in helpers only, and no HTML escaping.
const handlebars = Handlebars.create();
const template = mailTemplates.find((t) => t.name === templateNames['radio-add-date-change'])!;
const render = (source: string, data: unknown) =>
  handlebars.compile(source, { noEscape: true, strict: false })(data);

/** The add-date changes `email` received, rendered as SES renders them (the call's data, the entry's over it). */
function addDateChangesTo(world: FakeWorld, email: string) {
  return world.mailer.calls.flatMap((call) => {
    const entry = call.entries.find((e) => e.email === email);
    if (call.kind !== 'radio-add-date-change' || !entry) return [];
    const shared = call.defaultData as { text: object; html: object };
    const own = entry.data as { text: object; html: object };
    const data = { text: { ...shared.text, ...own.text }, html: { ...shared.html, ...own.html } };
    return [{ html: render(template.html, data), text: render(template.text, data) }];
  });
}

describe('a moved add date’s mail', () => {
  it('states the add date it replaces and the new one, in text and HTML, at each move', async () => {
    const radio = aLabelAndItsGermanRadio();
    const { german, world, label } = radio;
    await germanAddDateMovedTo12March(radio);
    await label(
      { type: 'Release Updated', details: servicedWithGermanAddDate('2027-03-19') },
      'evt-3',
      '2026-06-01T10:02:00.000Z',
    );

    const [first, second] = addDateChangesTo(world, german.email);
    expect(first.text).toContain(
      'The add date has changed from Friday, 5 March 2027. It is now AAA in DE: Friday, 12 March 2027.',
    );
    expect(first.html).toContain(
      'The add date has changed from Friday, 5 March 2027. It is now <strong>AAA in DE: Friday, 12 March 2027</strong>.',
    );
    expect(second.text).toContain(
      'The add date has changed from Friday, 12 March 2027. It is now AAA in DE: Friday, 19 March 2027.',
    );
  });

  it('states the date its outlets had when the move was made while the release did not reach the country', async () => {
    // In GB and DE: still reached through GB while DE is withdrawn, so told nothing of the withdrawal.
    const both = anOutlet({ kind: 'radio', territories: ['GB', 'DE'], formats: ['AAA'] });
    const { world, label } = aLabelAndItsPress(['GB', 'DE'], [both]);
    await label(
      { type: 'Release Scheduled', details: servicedWithGermanAddDate('2027-03-05') },
      'evt-1',
      '2026-06-01T10:00:00.000Z',
    );
    await label(withdrawDe, 'evt-2', '2026-06-01T10:01:00.000Z');
    // Moved while DE is not reached (kept), moved again, then DE given back: the move is told now.
    await label(
      { type: 'Release Updated', details: servicedWithGermanAddDate('2027-03-12', ['GB']) },
      'evt-3',
      '2026-06-01T10:02:00.000Z',
    );
    await label(
      { type: 'Release Updated', details: servicedWithGermanAddDate('2027-03-19', ['GB']) },
      'evt-4',
      '2026-06-01T10:03:00.000Z',
    );
    await label(
      { type: 'Release Updated', details: servicedWithGermanAddDate('2027-03-19') },
      'evt-5',
      '2026-06-01T10:04:00.000Z',
    );

    const [mail] = addDateChangesTo(world, both.email);
    expect(mail.text).toContain(
      'The add date has changed from Friday, 5 March 2027. It is now AAA in DE: Friday, 19 March 2027.',
    );
  });
});
