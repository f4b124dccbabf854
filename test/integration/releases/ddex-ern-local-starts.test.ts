import { describe, expect, it } from 'vitest';
import { countryZones } from '#shared/country-zones.ts';
import { instantOf } from '#shared/releases.ts';
import { aLabel, daysFromNow, mailTo, sendErn, waitForMail } from '#test/support/announcing.ts';
import { advanceClock, busIdle, clockNow, uniqueId } from '#test/support/cloud.ts';
import { anIcpn, ernMessage } from '#test/support/ern.ts';
import { outletPerTerritory } from '#test/support/outlets-cloud.ts';

/**
 * docs/design.md#ddex-ern: a deal's StartDate is midnight in each territory of the deal, as DDEX reads a
 * start naming no zone; in a country of several zones, the midnight that comes last. Out-now goes then,
 * not at midnight UTC (nine hours late in Japan, ten hours early for Hawaii's outlets).
 */
describe('an ERN deal’s StartDate on the local cloud', () => {
  it('tells a Japanese outlet the release is out at midnight in Tokyo, and a US one at the last US midnight, not before', {
    timeout: 180_000,
  }, async () => {
    const genre = uniqueId('genre');
    const label = await aLabel();
    const [jp, us] = await outletPerTerritory(genre, ['JP', 'US']);
    const date = await daysFromNow(30);
    const xml = ernMessage('single', {
      messageId: uniqueId('MSG'),
      createdAt: (await clockNow()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      icpn: anIcpn(),
      genre,
      date,
    })
      .replaceAll('<TerritoryCode>GB</TerritoryCode>', '<TerritoryCode>JP</TerritoryCode>')
      .replaceAll('<TerritoryCode>IE</TerritoryCode>', '<TerritoryCode>US</TerritoryCode>');
    const midnightIn = (timeZone: string) => instantOf({ releaseDate: date, releaseTime: '00:00', timeZone });
    const tokyo = midnightIn('Asia/Tokyo');
    const lastUs = Math.max(...countryZones('US').map(midnightIn));
    const at = (epochMs: number) => new Date(epochMs).toISOString();

    const sent = await sendErn(label, xml);
    await waitForMail([jp.email, us.email], 'New single:');
    await advanceClock(at(tokyo + 60_000));
    await waitForMail([jp.email], 'Out now:');
    const usAtTokyo = await mailTo(us.email, 'Out now:');
    await advanceClock(at(lastUs - 60_000));
    await busIdle();
    const usBeforeItsMidnight = await mailTo(us.email, 'Out now:');
    await advanceClock(at(lastUs + 60_000));
    await waitForMail([us.email], 'Out now:');

    expect(sent.status).toBe(202);
    const [announcement] = await mailTo(jp.email, 'New single:');
    expect(announcement.body.text).toContain('00:00 (Asia/Tokyo)');
    expect([usAtTokyo, usBeforeItsMidnight]).toEqual([[], []]);
    expect(await mailTo(jp.email, 'Out now:')).toHaveLength(1);
    expect(await mailTo(us.email, 'Out now:')).toHaveLength(1);
  });
});
