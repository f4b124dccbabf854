import { describe, expect, it } from 'vitest';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { MailerError } from '#shared/mail/ports.ts';
import { templateNames } from '#shared/mail/template-names.ts';
import { territoryMomentsOf } from '#shared/releases.ts';
import { aLabelAndItsPress, type FakeWorld, far, runRequested } from '#test/support/announcer-fakes.ts';
import { anOutlet, aReleaseDetails } from '#test/support/releases.ts';

/** The template of every mail `email` received, in order (what the outlet reads: "New single" or "Out now"). */
const templatesTo = (world: FakeWorld, email: string) =>
  world.mailer.calls.flatMap((call) =>
    call.entries.filter((entry) => entry.email === email).map(() => call.template),
  );

/**
 * The label schedules `details` on 1 March 2027; SES takes nothing of the first call and its answer is
 * lost: the claims stay open, for the sweep to resend.
 */
async function scheduledItsAnswerLost(
  { world, label }: ReturnType<typeof aLabelAndItsPress>,
  details: ReturnType<typeof aReleaseDetails>,
) {
  let calls = 0;
  world.mailer.script = () =>
    calls++ === 0 ? new MailerError('unknown', 'the answer was lost') : (undefined as never);
  await label({ type: 'Release Scheduled', details }, 'evt-scheduled', '2027-03-01T11:00:00.000Z').catch(
    () => {},
  );
}

/**
 * A release described first with its street date gone by (a surprise drop, back catalogue) is out
 * already when it is announced: each outlet there hears once that it is out, not "New single: ... out 26
 * February" and then "Out now" (docs/design.md#street-dates-per-territory). The world's clock reads 1
 * March 2027.
 */
describe('a release already out when it is first announced', () => {
  it('tells each outlet once that it is out, and records it out with no release day to fire', async () => {
    const press = aLabelAndItsPress();
    const { german, british, world, label } = press;

    const stored = await label(
      {
        type: 'Release Scheduled',
        details: aReleaseDetails({ territories: ['GB', 'DE'], releaseDate: '2027-02-26' }),
      },
      'evt-scheduled',
      '2027-03-01T11:00:00.000Z',
    );
    await runRequested(world, 'out-now');

    for (const outlet of [german, british])
      expect(templatesTo(world, outlet.email)).toEqual([templateNames['out-now']]);
    expect(stored.state).toBe('out');
    expect(stored.lastEffects.map((effect) => effect.type)).not.toContain('schedule-release-day');
  });

  it('is resent by the sweep as it was written, as out now, and no out-now follows it', async () => {
    const press = aLabelAndItsPress();
    const { british, world } = press;
    await scheduledItsAnswerLost(
      press,
      aReleaseDetails({ territories: ['GB', 'DE'], releaseDate: '2027-02-26' }),
    );

    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());
    await runRequested(world, 'out-now');

    expect(world.mailer.kindsReceivedBy(british.email)).toEqual(['announcement']);
    expect(templatesTo(world, british.email)).toEqual([templateNames['out-now'], templateNames['out-now']]);
  });

  it('announces it where its own date is still ahead, and tells that outlet it is out on its day', async () => {
    const press = aLabelAndItsPress();
    const { german, british, world, label, releaseDay } = press;
    // Out in GB three days ago; in DE on 10 March.
    const details = aReleaseDetails({
      territories: ['GB', 'DE'],
      releaseDate: '2027-02-26',
      territoryDates: [{ territories: ['DE'], releaseDate: '2027-03-10' }],
    });

    await label({ type: 'Release Scheduled', details }, 'evt-scheduled', '2027-03-01T11:00:00.000Z');
    await runRequested(world, 'out-now');
    const germany = territoryMomentsOf(details).find((group) => group.territories.includes('DE'))!;
    await releaseDay(germany.moment);
    const outInDe = press.store.published.filter(
      (entry) =>
        entry.detailType === 'Mailing Requested' &&
        (entry.detail as { data: { kind: string } }).data.kind === 'out-now',
    );
    await runRequested(world, 'out-now');

    expect(outInDe).toHaveLength(1);
    expect(templatesTo(world, british.email)).toEqual([templateNames['out-now']]);
    expect(templatesTo(world, german.email)).toEqual([templateNames.announcement, templateNames['out-now']]);
  });
});

/**
 * A radio station of a release already out when first announced is serviced instead of announced: its
 * servicing (promo links, add dates) is the one mail it hears, not the servicing and an "Out now" with
 * the press's links a second later (docs/design.md#radio-servicing, #street-dates-per-territory). The
 * world's clock reads 1 March 2027.
 */
describe('a release serviced to radio, already out when it is first announced', () => {
  const surpriseDrop = () =>
    aReleaseDetails({
      territories: ['GB', 'DE'],
      releaseDate: '2027-02-26',
      radioServicing: {
        servicingDate: '2027-02-26',
        addDates: [{ format: 'AAA', territory: 'GB', date: '2027-03-08' }],
        edits: [{ kind: 'clean', assetUrl: 'https://promo.example.com/clean' }],
      },
    });

  it('services each radio station once, and tells it nothing more that it is out', async () => {
    const station = anOutlet({ kind: 'radio', territories: ['GB'], formats: ['AAA'] });
    const british = anOutlet({ kind: 'press', territories: ['GB'] });
    const { world, label } = aLabelAndItsPress(['GB', 'DE'], [station, british]);

    await label(
      { type: 'Release Scheduled', details: surpriseDrop() },
      'evt-scheduled',
      '2027-03-01T11:00:00.000Z',
    );
    await runRequested(world, 'out-now');

    expect(templatesTo(world, station.email)).toEqual([templateNames['radio-servicing']]);
    expect(templatesTo(world, british.email)).toEqual([templateNames['out-now']]);
  });

  it('is resent by the sweep as it was written, and no out-now follows it', async () => {
    const station = anOutlet({ kind: 'radio', territories: ['GB'], formats: ['AAA'] });
    const press = aLabelAndItsPress(['GB', 'DE'], [station]);
    const { world } = press;
    await scheduledItsAnswerLost(press, surpriseDrop());

    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());
    await runRequested(world, 'out-now');

    expect(templatesTo(world, station.email)).toEqual([
      templateNames['radio-servicing'],
      templateNames['radio-servicing'],
    ]);
  });
});
