import { describe, expect, it } from 'vitest';
import { bookTour } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { templateDataJson, templateDataLimit } from '#shared/mail/data.ts';
import { stepMoment } from '#shared/tours.ts';
import { aShow, fakeToursDeps, metaAt, ref, tourOf } from '#test/support/tours.ts';

/**
 * The guest list goes to the promoter at its cutoff as one mail (a `notice`, its rows in a text and an
 * HTML view), whose template data SES takes up to `templateDataLimit` characters; the list may hold up
 * to `maxGuestBytes` of names and notes.
 */
describe("a full guest list's mail", () => {
  it('goes to the promoter at the cutoff with every guest the list took, as a file when the mail cannot state them all', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, tours, mailer } = fakeToursDeps(now);
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);
    // Names and notes within the routes' limits (200 and 500 characters), added until the list is full.
    const guest = (i: number) => ({
      name: `Guest ${i} ${'of the house & friends '.repeat(8)}`.trim(),
      plusOnes: 1,
      note: `"Backstage" <all areas> & ${'the after-show, '.repeat(28)}`.trim(),
      addedAt: '2027-05-01T00:00:00Z',
    });
    let added = 0;
    while ((await tours.addGuests(ref(), [guest(added)])) === 'added') added++;
    const cutoff = stepMoment(aShow(), 'guest-list-cutoff');

    await takeStep(
      { ...ref(), step: 'guest-list-cutoff', scheduledFor: cutoff.scheduledFor },
      { correlationId: 'c' },
      deps,
    );

    expect(added).toBeGreaterThan(300);
    const [mail] = mailer.sent;
    expect(mailer.sent.map((m) => m.kind)).toEqual(['guest-list-cutoff']);
    expect(templateDataJson(mail?.data).length).toBeLessThanOrEqual(templateDataLimit);
    expect(JSON.stringify(mail?.data.text)).toContain(`${added * 2} guests in all`);
    const [file] = mail?.attachments ?? [];
    expect(file?.fileName).toBe('guest-list.txt');
    const lines = String(file?.content).split('\r\n').slice(0, -1);
    expect(lines).toHaveLength(added);
    expect(lines[0]).toBe(`${guest(0).name}: +1 (${guest(0).note})`);
  });
});
