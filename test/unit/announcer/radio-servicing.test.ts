import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import { addDateKey } from '#shared/radio.ts';
import { detailOf, fakeWorld } from '#test/support/announcer-fakes.ts';
import { anOutlet, aReleaseDetails, aStoredRelease } from '#test/support/releases.ts';

const far = () => Date.parse('2100-01-01T00:00:00Z');
const meta = { correlationId: 'corr-1' };
const request = (kind: 'announcement' | 'radio-servicing' | 'cancellation', extra = {}) => ({
  labelId: 'lbl-nightshift',
  releaseId: 'rel-night-drive',
  kind,
  ...extra,
});

/** Serviced to radio on 1 March 2027 at 09:00 in each territory's zone; the fake clock stands at 12:00 UTC that day. */
const serviced = (overrides: Partial<ReleaseDetails> = {}) =>
  aReleaseDetails({
    territories: ['GB', 'DE', 'US'],
    timeZone: 'America/Los_Angeles',
    radioServicing: {
      servicingDate: '2027-03-01',
      addDates: [
        { format: 'AAA', territory: 'GB', date: '2027-03-08' },
        { format: 'CHR', territory: 'GB', date: '2027-03-09' },
        { format: 'AAA', territory: 'US', date: '2027-03-10' },
      ],
      edits: [{ kind: 'clean', assetUrl: 'https://promo.example.com/clean' }],
    },
    ...overrides,
  });

const textOf = (entry: { data: unknown }) => (entry.data as { text: Record<string, unknown> }).text;

describe('radio servicing', () => {
  it('announces to press outlets only, and services radio outlets instead, with the add dates of their formats and territories', async () => {
    const press = anOutlet({ kind: 'press', territories: ['GB'] });
    const aaa = anOutlet({ kind: 'radio', territories: ['GB'], formats: ['AAA'] });
    const chr = anOutlet({ kind: 'radio', territories: ['GB'], formats: ['chr'] });
    const optedOut = anOutlet({ kind: 'radio', territories: ['GB'], unsubscribedAt: '2027-01-01T00:00:00Z' });
    const world = fakeWorld({
      releases: [aStoredRelease({ details: serviced() })],
      outlets: [press, aaa, chr, optedOut],
    });

    await sendMailing(request('announcement'), meta, world.deps, far());
    const servicing = await sendMailing(request('radio-servicing'), meta, world.deps, far());

    expect(world.mailer.kindsReceivedBy(press.email)).toEqual(['announcement']);
    expect(world.mailer.kindsReceivedBy(aaa.email)).toEqual(['radio-servicing']);
    expect(world.mailer.kindsReceivedBy(chr.email)).toEqual(['radio-servicing']);
    expect(world.mailer.receivedBy(optedOut.email)).toEqual([]);
    expect(servicing).toEqual({ status: 'completed', sent: 2, skipped: 1 });
    const entries = world.mailer.calls
      .filter((call) => call.kind === 'radio-servicing')
      .flatMap((c) => c.entries);
    const toAaa = textOf(entries.find((entry) => entry.email === aaa.email)!);
    expect(toAaa.addDates).toEqual(['AAA in GB: Monday, 8 March 2027']);
    expect(toAaa.servicingDate).toBe('Monday, 1 March 2027');
    expect(textOf(entries.find((entry) => entry.email === chr.email)!).addDates).toEqual([
      'CHR in GB: Tuesday, 9 March 2027',
    ]);
    expect(world.published.map((entry) => entry.detailType)).toContain('Release Radio Serviced');
  });

  it('services each radio outlet once, when 09:00 comes in its territory’s zone', async () => {
    const gb = anOutlet({ kind: 'radio', territories: ['GB'] });
    const de = anOutlet({ kind: 'radio', territories: ['DE'] });
    const us = anOutlet({ kind: 'radio', territories: ['US'] });
    const world = fakeWorld({ releases: [aStoredRelease({ details: serviced() })], outlets: [gb, de, us] });

    await sendMailing(request('radio-servicing'), meta, world.deps, far());
    const atNoonUtc = world.mailer.delivered.map((mail) => mail.email).sort();
    world.clock.now = Date.parse('2027-03-01T17:00:00Z'); // 09:00 in Los Angeles, the release's zone
    await sendMailing(request('radio-servicing'), meta, world.deps, far());

    expect(atNoonUtc).toEqual([de.email, gb.email].sort());
    expect(world.mailer.delivered.map((mail) => mail.email).sort()).toEqual(
      [de.email, gb.email, us.email].sort(),
    );
  });

  it('services a station in a country the release names beside WW at 09:00 there, not at WW’s earlier 09:00', async () => {
    const gb = anOutlet({ kind: 'radio', territories: ['GB'] });
    const fr = anOutlet({ kind: 'radio', territories: ['FR'] });
    // WW's stations hear at 09:00 in the release's Asia/Tokyo (00:00 UTC), GB's at 09:00 in London.
    const details = serviced({ territories: ['WW', 'GB'], timeZone: 'Asia/Tokyo' });
    const world = fakeWorld({ releases: [aStoredRelease({ details })], outlets: [gb, fr] });

    world.clock.now = Date.parse('2027-03-01T00:30:00Z');
    await sendMailing(request('radio-servicing'), meta, world.deps, far());
    const atTokyosMorning = world.mailer.delivered.map((mail) => mail.email);
    world.clock.now = Date.parse('2027-03-01T09:00:00Z');
    await sendMailing(request('radio-servicing'), meta, world.deps, far());

    expect(atTokyosMorning).toEqual([fr.email]);
    expect(world.mailer.delivered.map((mail) => mail.email)).toEqual([fr.email, gb.email]);
  });

  it('holds the servicing while the release or the outlet’s territory is under embargo', async () => {
    const gb = anOutlet({ kind: 'radio', territories: ['GB'] });
    const de = anOutlet({ kind: 'radio', territories: ['DE'] });
    const embargoedRelease = fakeWorld({
      releases: [aStoredRelease({ details: serviced({ announceAt: '2027-03-02T00:00:00Z' }) })],
      outlets: [gb],
    });
    const embargoedTerritory = fakeWorld({
      releases: [
        aStoredRelease({
          details: serviced({
            territoryDates: [
              { territories: ['DE'], releaseDate: '2027-03-05', announceAt: '2027-03-03T00:00:00Z' },
            ],
          }),
        }),
      ],
      outlets: [gb, de],
    });

    const held = await sendMailing(request('radio-servicing'), meta, embargoedRelease.deps, far());
    await sendMailing(request('radio-servicing'), meta, embargoedTerritory.deps, far());

    expect(held).toMatchObject({ status: 'obsolete', reason: 'under embargo until 2027-03-02T00:00:00Z' });
    expect(embargoedRelease.mailer.delivered).toEqual([]);
    expect(embargoedTerritory.mailer.delivered.map((mail) => mail.email)).toEqual([gb.email]);
  });

  it('states no embargo lifted before the servicing date, in the shared data or the outlet’s', async () => {
    const gb = anOutlet({ kind: 'radio', territories: ['GB'] });
    const world = fakeWorld({
      releases: [aStoredRelease({ details: serviced({ announceAt: '2027-02-20T09:00:00Z' }) })],
      outlets: [gb],
    });

    await sendMailing(request('radio-servicing'), meta, world.deps, far());

    const [call] = world.mailer.calls.filter((c) => c.kind === 'radio-servicing');
    expect(call.entries.map((entry) => entry.email)).toEqual([gb.email]);
    expect((call.defaultData as { text: Record<string, unknown> }).text.embargo).toBeUndefined();
    expect(textOf(call.entries[0]).embargo).toBeUndefined();
  });

  it('tells a moved add date only to serviced radio outlets of its format and territory, once', async () => {
    const aaaGb = anOutlet({ kind: 'radio', territories: ['GB'], formats: ['AAA'] });
    const chrGb = anOutlet({ kind: 'radio', territories: ['GB'], formats: ['CHR'] });
    const aaaUs = anOutlet({ kind: 'radio', territories: ['US'], formats: ['AAA'] });
    const release = aStoredRelease({ details: serviced() });
    const world = fakeWorld({ releases: [release], outlets: [aaaGb, chrGb, aaaUs] });
    world.clock.now = Date.parse('2027-03-01T18:00:00Z');
    await sendMailing(request('radio-servicing'), meta, world.deps, far());
    release.details!.radioServicing!.addDates[0].date = '2027-03-15';
    const change = {
      ...request('announcement'),
      kind: 'radio-add-date-change' as const,
      revision: '2027-03-15',
      moment: addDateKey({ format: 'AAA', territory: 'GB' }),
      territories: ['GB'],
    };

    await sendMailing(change, meta, world.deps, far());
    await sendMailing(change, meta, world.deps, far());

    const changes = world.mailer.calls.filter((call) => call.kind === 'radio-add-date-change');
    expect(changes.flatMap((call) => call.entries.map((entry) => entry.email))).toEqual([aaaGb.email]);
    expect(textOf(changes[0].entries[0]).movedAddDate).toBe('AAA in GB: Monday, 15 March 2027');
    release.details!.radioServicing!.addDates[0].date = '2027-03-16';
    expect(await sendMailing(change, meta, world.deps, far())).toMatchObject({
      status: 'obsolete',
      reason: 'add date changed again since',
    });
  });

  it('gives a serviced station’s out-now the radio links its servicing gave, and the press its promo links', async () => {
    const press = anOutlet({ kind: 'press', territories: ['GB'] });
    const station = anOutlet({ kind: 'radio', territories: ['GB'], formats: ['AAA'] });
    const release = aStoredRelease({ details: serviced() });
    const world = fakeWorld({ releases: [release], outlets: [press, station] });
    await sendMailing(request('announcement'), meta, world.deps, far());
    await sendMailing(request('radio-servicing'), meta, world.deps, far());
    // Its release day, 5 March, has come.
    world.clock.now = Date.parse('2027-03-05T12:00:00Z');
    release.state = 'out';

    await sendMailing({ ...request('announcement'), kind: 'out-now' }, meta, world.deps, far());

    const linksTo = (kind: string, email: string) =>
      textOf(
        world.mailer.calls
          .filter((call) => call.kind === kind)
          .flatMap((call) => call.entries)
          .find((entry) => entry.email === email)!,
      ).promoLinks;
    expect(linksTo('radio-servicing', station.email)).toEqual([
      { label: 'clean 100', url: `https://backline.example/p/${station.id}-100` },
    ]);
    expect(linksTo('out-now', station.email)).toEqual(linksTo('radio-servicing', station.email));
    expect(linksTo('out-now', press.email)).toEqual([
      { label: 'stream 0', url: `https://backline.example/p/${press.id}-0` },
    ]);
  });

  it('tells serviced radio outlets of a cancellation, as announced press outlets are', async () => {
    const press = anOutlet({ kind: 'press', territories: ['GB'] });
    const radio = anOutlet({ kind: 'radio', territories: ['GB'] });
    const neverServiced = anOutlet({ kind: 'radio', territories: ['US'] });
    const release = aStoredRelease({ details: serviced() });
    const world = fakeWorld({ releases: [release], outlets: [press, radio, neverServiced] });
    await sendMailing(request('announcement'), meta, world.deps, far());
    await sendMailing(request('radio-servicing'), meta, world.deps, far());
    release.state = 'cancelled';

    await sendMailing(request('cancellation'), meta, world.deps, far());

    const cancelled = world.mailer.delivered.filter((mail) => mail.kind === 'cancellation');
    expect(cancelled.map((mail) => mail.email).sort()).toEqual([press.email, radio.email].sort());
  });

  it('gets the cancellation to every radio outlet serviced by a mailing the cancel caught under way', async () => {
    const first = [anOutlet({ territories: ['GB'] }), anOutlet({ territories: ['GB'] })];
    const second = [anOutlet({ territories: ['GB'] }), anOutlet({ territories: ['GB'] })];
    const world = fakeWorld({
      releases: [aStoredRelease({ details: serviced() })],
      outlets: [...first, ...second],
      pageSize: 2,
    });
    const send = world.deps.mailer.sendBulk;
    world.deps.mailer.sendBulk = async (mail) => {
      const results = await send(mail);
      if (mail.kind === 'radio-servicing' && world.mailer.calls.length === 1) {
        // While the first page is in flight, the label cancels and the cancellation is mailed.
        world.releases.set(
          'lbl-nightshift/rel-night-drive',
          aStoredRelease({ state: 'cancelled', details: serviced(), occurredAt: '2026-02-01T10:00:00.000Z' }),
        );
        await sendMailing(request('cancellation'), meta, world.deps, far());
      }
      return results;
    };

    const outcome = await sendMailing(request('radio-servicing'), meta, world.deps, far());
    for (const entry of world.published.filter((e) => e.detailType === 'Mailing Requested'))
      await sendMailing(detailOf(entry).data, meta, world.deps, far());

    expect(outcome).toMatchObject({ status: 'obsolete', reason: 'release cancelled' });
    for (const outlet of first) {
      expect(world.mailer.kindsReceivedBy(outlet.email)).toEqual(['radio-servicing', 'cancellation']);
    }
    for (const outlet of second) expect(world.mailer.receivedBy(outlet.email)).toHaveLength(0);
  });

  it('tells a moved add date to every radio outlet serviced by a mailing the move caught under way, and not to those serviced with it', async () => {
    const first = [anOutlet({ territories: ['GB'], formats: ['AAA'] }), anOutlet({ territories: ['GB'] })];
    const second = [anOutlet({ territories: ['GB'], formats: ['AAA'] }), anOutlet({ territories: ['GB'] })];
    const world = fakeWorld({
      releases: [aStoredRelease({ details: serviced() })],
      outlets: [...first, ...second],
      pageSize: 2,
    });
    const moved = serviced();
    moved.radioServicing!.addDates[0].date = '2027-03-15';
    const change = {
      ...request('announcement'),
      kind: 'radio-add-date-change' as const,
      revision: '2027-03-15',
      moment: addDateKey({ format: 'AAA', territory: 'GB' }),
      territories: ['GB'],
    };
    const send = world.deps.mailer.sendBulk;
    world.deps.mailer.sendBulk = async (mail) => {
      const results = await send(mail);
      if (mail.kind === 'radio-servicing' && world.mailer.calls.length === 1) {
        // While the first page is in flight, the label moves AAA's add date in GB, and its change is mailed.
        world.releases.set(
          'lbl-nightshift/rel-night-drive',
          aStoredRelease({
            details: moved,
            occurredAt: '2026-02-01T10:00:00.000Z',
            addDateChanges: [{ key: change.moment, date: change.revision, at: '2026-02-01T10:00:00.000Z' }],
          }),
        );
        await sendMailing(change, meta, world.deps, far());
      }
      return results;
    };

    await sendMailing(request('radio-servicing'), meta, world.deps, far());
    for (const entry of world.published.filter((e) => e.detailType === 'Mailing Requested'))
      await sendMailing(detailOf(entry).data, meta, world.deps, far());

    const kinds = (outlet: { email: string }) => world.mailer.kindsReceivedBy(outlet.email);
    // The first page was serviced with AAA's old add date: AAA's station there hears of the move.
    expect(kinds(first[0])).toEqual(['radio-servicing', 'radio-add-date-change']);
    // An outlet naming no format is told every format's add date, so AAA's move too.
    expect(kinds(first[1])).toEqual(['radio-servicing', 'radio-add-date-change']);
    // The second page was serviced with the new date already.
    for (const outlet of second) expect(kinds(outlet)).toEqual(['radio-servicing']);
  });
});

describe('radio servicing of a release that leaves a country out', () => {
  it('tells a radio outlet no add date of a country the release does not reach', async () => {
    const germanAndFrench = anOutlet({ kind: 'radio', territories: ['DE', 'FR'], formats: ['AAA'] });
    const details = {
      ...serviced({
        territories: ['WW'],
        timeZone: 'Europe/Paris',
        radioServicing: {
          servicingDate: '2027-03-01',
          addDates: [
            { format: 'AAA', territory: 'DE', date: '2027-03-08' },
            { format: 'AAA', territory: 'FR', date: '2027-03-09' },
          ],
          edits: [],
        },
      }),
      excludedTerritories: ['DE'],
    };
    const world = fakeWorld({ releases: [aStoredRelease({ details })], outlets: [germanAndFrench] });

    await sendMailing(request('radio-servicing'), meta, world.deps, far());

    const entries = world.mailer.calls.flatMap((call) => call.entries);
    expect(textOf(entries.find((entry) => entry.email === germanAndFrench.email)!).addDates).toEqual([
      'AAA in FR: Tuesday, 9 March 2027',
    ]);
  });
});
