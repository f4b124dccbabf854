import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { type MailingRequest, sendMailing } from '#functions/announcer/mailing.ts';
import { decideChange } from '#functions/releases/apply-change.ts';
import { settleFromEmailsSent } from '#functions/settlement/settle.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import { mailTemplates, templateNames } from '#shared/mail/templates.ts';
import {
  announce,
  emailSent,
  type FakeWorld,
  fakeWorld,
  far,
  meta,
  runRequested,
} from '#test/support/announcer-fakes.ts';
import { anOutlet, aReleaseDetails, aStoredRelease } from '#test/support/releases.ts';

/**
 * A date change that keeps the day and moves the time (00:00 to 09:00 on 5 March) says the time
 * changed, in its subject and body, as the address was told it (docs/design.md#mail-templates).
 */

const key = 'lbl-nightshift/rel-night-drive';

/** The label describes the release anew at `occurredAt`, and the date changes it asks for are mailed. */
async function moveAndMail(world: FakeWorld, details: ReleaseDetails, occurredAt: string) {
  const { next, effects } = decideChange(
    world.releases.get(key),
    { type: 'Release Updated', details },
    { labelId: 'lbl-nightshift', eventId: `evt-${occurredAt}`, correlationId: 'corr-1', occurredAt },
    occurredAt,
  );
  world.releases.set(key, next);
  for (const effect of effects) {
    if (effect.type !== 'request-mailing' || effect.kind !== 'date-change') continue;
    const request: MailingRequest = {
      ...announce,
      kind: 'date-change',
      ...(effect.revision ? { revision: effect.revision } : {}),
      ...(effect.moment ? { moment: effect.moment } : {}),
      ...(effect.territories ? { territories: effect.territories } : {}),
      ...(effect.movedFrom ? { movedFrom: effect.movedFrom } : {}),
    };
    await sendMailing(request, meta, world.deps, far());
  }
}

// As SES renders stored templates: Handlebars, built-in helpers only, and no HTML escaping.
const handlebars = Handlebars.create();
const template = mailTemplates.find((t) => t.name === templateNames['date-change'])!;
const render = (source: string, data: unknown) =>
  handlebars.compile(source, { noEscape: true, strict: false })(data);

/** The date changes `email` received, rendered as SES renders them (the call's data, the entry's over it). */
function dateChangesTo(world: FakeWorld, email: string) {
  return world.mailer.calls.flatMap((call) => {
    const entry = call.entries.find((e) => e.email === email);
    if (call.kind !== 'date-change' || !entry) return [];
    const shared = call.defaultData as { text: object; html: object };
    const own = entry.data as { text: object; html: object };
    const data = { text: { ...shared.text, ...own.text }, html: { ...shared.html, ...own.html } };
    return [
      {
        subject: render(template.subject, data),
        html: render(template.html, data),
        text: render(template.text, data),
      },
    ];
  });
}

const at = (releaseTime: string, releaseDate = '2027-03-05') =>
  aReleaseDetails({ releaseDate, releaseTime, timeZone: 'Europe/London' });

describe('a date change that moves only the time', () => {
  it('says the time changed, in subject and body, text and HTML', async () => {
    const outlet = anOutlet({ territories: ['GB'] });
    const world = fakeWorld({ releases: [aStoredRelease({ details: at('00:00') })], outlets: [outlet] });
    await sendMailing(announce, meta, world.deps, far());

    await moveAndMail(world, at('09:00'), '2026-02-01T10:00:00.000Z');

    const [mail] = dateChangesTo(world, outlet.email);
    expect(mail.subject).toBe('New time: Night Drive by The Midnight Echoes, still out 5 March 2027');
    expect(mail.text).toContain('New release time for Night Drive');
    expect(mail.text).toContain(
      'The release time has changed from Friday, 5 March 2027, 00:00 (Europe/London). It is now Friday, 5 March 2027, 09:00 (Europe/London).',
    );
    expect(mail.html).toContain('New release time for Night Drive');
    expect(mail.html).toContain(
      'The release time has changed from Friday, 5 March 2027, 00:00 (Europe/London).',
    );
    expect(`${mail.subject}\n${mail.text}\n${mail.html}`).not.toMatch(/New date|release date has changed/);
  });

  it.each([
    {
      announced: '2027-03-05',
      between: '2027-03-12',
      says: /^New time: /,
      body: 'release time has changed from Friday, 5 March',
    },
    {
      announced: '2027-03-12',
      between: '2027-03-05',
      says: /^New date: .* is now out 5 March 2027$/,
      body: 'release date has changed from Friday, 12 March',
    },
  ])(
    'follows what the address was told ($announced 00:00), not the date the release moved from ($between 00:00)',
    async ({ announced, between, says, body }) => {
      // Announced at 00:00 on `announced`, SES's answer lost: the claim stays open while the release moves.
      const outlet = anOutlet({ territories: ['GB'] });
      const world = fakeWorld({
        releases: [aStoredRelease({ details: at('00:00', announced) })],
        outlets: [outlet],
      });
      world.mailer.script = (_mail, call) => (call === 1 ? 'accept-then-fail' : (undefined as never));
      await sendMailing(announce, meta, world.deps, far());
      world.mailer.script = undefined;
      await moveAndMail(world, at('00:00', between), '2026-02-01T10:00:00.000Z');
      await moveAndMail(world, at('09:00'), '2026-02-02T10:00:00.000Z');

      // The announcement's Email Sent settles it: its follow-up, the date change to 5 March 09:00, goes out.
      await settleFromEmailsSent([emailSent(world.mailer.delivered[0])], world.deps);
      await runRequested(world, 'date-change');

      const [mail] = dateChangesTo(world, outlet.email);
      expect(mail.subject).toMatch(says);
      expect(mail.text).toContain(body);
      expect(mail.html).toContain(body);
    },
  );

  it('says the time changed where a territory’s own date keeps its day', async () => {
    const twoDates = (releaseTime: string) =>
      aReleaseDetails({
        territories: ['GB', 'DE'],
        territoryDates: [
          { territories: ['DE'], releaseDate: '2027-03-12', releaseTime, timeZone: 'Europe/Berlin' },
        ],
      });
    const german = anOutlet({ territories: ['DE'] });
    const world = fakeWorld({
      releases: [aStoredRelease({ details: twoDates('00:00') })],
      outlets: [german],
    });
    await sendMailing(announce, meta, world.deps, far());

    await moveAndMail(world, twoDates('09:00'), '2026-02-01T10:00:00.000Z');

    const [mail] = dateChangesTo(world, german.email);
    expect(mail.subject).toBe('New time: Night Drive by The Midnight Echoes, still out 12 March 2027');
    expect(mail.text).toContain(
      'The release time has changed from Friday, 12 March 2027, 00:00 (Europe/Berlin). It is now Friday, 12 March 2027, 09:00 (Europe/Berlin) in DE.',
    );
  });
});
