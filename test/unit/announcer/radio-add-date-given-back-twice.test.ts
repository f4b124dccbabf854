import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { applyReleaseChange, type ReleaseChange } from '#functions/releases/apply-change.ts';
import type { ReleasesDeps } from '#functions/releases/ports.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import { detailOf, fakeWorld, far, meta } from '#test/support/announcer-fakes.ts';
import {
  anOutlet,
  InMemoryReleases,
  idleSchedules,
  servicedWithGermanAddDate,
} from '#test/support/releases.ts';

/** GB and DE (or GB alone), serviced to radio on 22 February 2027 (due at once), AAA added in DE on `germanAddDate`. */
const serviced = (germanAddDate: string, territories = ['GB', 'DE']): ReleaseDetails =>
  servicedWithGermanAddDate(germanAddDate, territories, 'Europe/Berlin');

function aLabelAndItsRadio() {
  const german = anOutlet({ kind: 'radio', territories: ['DE'], formats: ['AAA'] });
  const world = fakeWorld({ releases: [], outlets: [german] });
  const store = new InMemoryReleases();
  const deps: ReleasesDeps = {
    releases: store,
    schedules: idleSchedules,
    now: () => new Date('2027-03-01T12:00:00Z'),
  };
  let played = 0;
  /** Releases applies the label's change; the announcer sends every mailing it asked (unless held). */
  const label = async (change: ReleaseChange, eventId: string, occurredAt: string, send = true) => {
    await applyReleaseChange(
      change,
      { labelId: 'lbl-nightshift', eventId, correlationId: 'corr', occurredAt },
      deps,
    );
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      (await store.get('lbl-nightshift', 'rel-night-drive'))!,
    );
    const asked = store.published.slice(played).filter((e) => e.detailType === 'Mailing Requested');
    played = store.published.length;
    if (send) for (const entry of asked) await sendMailing(detailOf(entry).data, meta, world.deps, far());
  };
  /** Every mailing releases asked so far, delivered once more (a redelivery, or a replay of the bus). */
  const redeliverAll = async () => {
    for (const entry of store.published.filter((e) => e.detailType === 'Mailing Requested')) {
      await sendMailing(detailOf(entry).data, meta, world.deps, far());
    }
  };
  return { german, world, label, redeliverAll };
}

describe('review: an add date moved, its country withdrawn and given back', () => {
  it('does not tell the move again to an outlet re-serviced with the moved date', async () => {
    const { german, world, label, redeliverAll } = aLabelAndItsRadio();
    await label(
      { type: 'Release Scheduled', details: serviced('2027-03-05') },
      'evt-1',
      '2026-06-01T10:00:00.000Z',
    );
    await label(
      { type: 'Release Updated', details: serviced('2027-03-12') },
      'evt-2',
      '2026-06-01T10:01:00.000Z',
      false,
    );
    await label(
      { type: 'Release Cancelled', releaseId: 'rel-night-drive', territories: ['DE'] },
      'evt-3',
      '2026-06-01T10:02:00.000Z',
    );
    await label(
      { type: 'Release Updated', details: serviced('2027-03-12') },
      'evt-4',
      '2026-06-01T10:03:00.000Z',
    );
    // Serviced again on the giving back, its servicing stating 'AAA in DE: 12 March'.
    expect(world.mailer.receivedBy(german.email, 'radio-servicing')).toHaveLength(2);

    // The move's mailing, asked before the withdrawal, runs only now (delayed, or delivered again):
    // the re-servicing, written after the move, stated it already (docs/design.md#radio-servicing).
    await redeliverAll();
    await sweepStaleClaims(world.deps, far());
    expect(world.mailer.receivedBy(german.email, 'radio-add-date-change')).toHaveLength(0);
  });
});
