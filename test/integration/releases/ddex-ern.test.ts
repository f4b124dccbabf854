import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { countryZones } from '#shared/country-zones.ts';
import { webhookKey } from '#shared/db/webhooks.ts';
import type { Outlet } from '#shared/outlets.ts';
import { instantOf } from '#shared/releases.ts';
import { aLabel, daysFromNow, mailTo, sendErn, sendWebhook, waitForMail } from '#test/support/announcing.ts';
import {
  advanceClock,
  api,
  busIdle,
  clockNow,
  cloud,
  documentClient,
  type SentMail,
  uniqueId,
  waitFor,
} from '#test/support/cloud.ts';
import { anIcpn, ernMessage } from '#test/support/ern.ts';
import { replayWebhooks } from '#test/support/jobs-cloud.ts';
import { createOutlet, outletPerTerritory } from '#test/support/outlets-cloud.ts';

/**
 * DDEX ERN 4.3 (and 4.3.2) messages end to end on the local cloud: signed XML in, mail read back from the SES
 * store. Each test has its own genre, so only its own outlets match.
 */
const labelTime = async (minutesAfter = 0) =>
  new Date((await clockNow()).getTime() + minutesAfter * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A single's ERN message, created now (the label's clock) and out in 30 days. */
const aSingle = async ({
  messageId = uniqueId('MSG'),
  icpn = anIcpn(),
  genre = uniqueId('genre'),
}: {
  messageId?: string;
  icpn?: string;
  genre?: string;
} = {}) =>
  ernMessage('single', { messageId, createdAt: await labelTime(), icpn, genre, date: await daysFromNow(30) });

const releaseView = async (labelId: string, releaseId: string) =>
  (await (await api(`/labels/${labelId}/releases/${releaseId}`)).json()) as {
    state: string;
    release: { title: string; territories: string[]; tracks: { title: string; isrc?: string }[] } | null;
  };

/** A mail's text with what differs per recipient (greeting, outlet name, personal links) taken out. */
const sharedText = (mail: SentMail, outlet: Outlet) =>
  (mail.body.text ?? '')
    .replaceAll(outlet.contactName ?? '\u0000', 'CONTACT')
    .replaceAll(outlet.name, 'OUTLET')
    .replace(/http:\/\/\S+/g, 'LINK');

/** A label, one outlet each in GB, DE and US of a new genre, and street dates 30 to 32 days out (the three-territories fixture). */
async function threeTerritories() {
  const genre = uniqueId('genre');
  const label = await aLabel();
  const [gb, de, us] = await outletPerTerritory(genre, ['GB', 'DE', 'US']);
  const icpn = anIcpn();
  const dates = {
    dateGB: await daysFromNow(30),
    dateDE: await daysFromNow(31),
    dateUS: await daysFromNow(32),
    preOrderDate: await daysFromNow(10),
  };
  return { genre, label, gb, de, us, icpn, dates };
}

describe('DDEX ERN intake on the local cloud', () => {
  it('announces a release an ERN 4.3 single describes, and a MessageId received again, under a new webhook-id, is a duplicate', async () => {
    const genre = uniqueId('genre');
    const label = await aLabel();
    const outlet = await createOutlet({ genres: [genre], territories: ['GB'] });
    const icpn = anIcpn();
    const xml = await aSingle({ icpn, genre });

    const first = await sendErn(label, xml);
    const again = await sendErn(label, xml, { contentType: 'text/xml' });
    await waitForMail([outlet.email], 'New single:');

    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.body.eventId).toBe(first.body.eventId);
    const [mail, ...more] = await mailTo(outlet.email);
    expect(more).toHaveLength(0);
    expect(mail.subject).toContain('Night Drive');
    expect(mail.body.text).toContain('The Midnight Echoes');
    const view = await releaseView(label.id, icpn);
    expect(view.release?.tracks).toEqual([
      { title: 'Night Drive', isrc: 'GBAYE2700001', durationSeconds: 225 },
    ]);
  });

  // Intake reads the bytes, the mark dropped; the record keeps it, and the publisher reads the record's text.
  it('announces a single sent with a UTF-8 byte order mark before its XML declaration', async () => {
    const genre = uniqueId('genre');
    const label = await aLabel();
    const outlet = await createOutlet({ genres: [genre], territories: ['GB'] });

    const sent = await sendErn(label, `\uFEFF${await aSingle({ genre })}`);
    await waitForMail([outlet.email], 'New single:');

    expect(sent.status).toBe(202);
  });

  it('announces a release an ERN 4.3.2 single describes to the outlets of the genre its DisplayGenre gives', async () => {
    const genre = uniqueId('genre');
    const label = await aLabel();
    const outlet = await createOutlet({ genres: [genre], territories: ['IE'] });
    const icpn = anIcpn();

    const sent = await sendErn(
      label,
      ernMessage('single-ern432', {
        messageId: uniqueId('MSG'),
        createdAt: await labelTime(),
        icpn,
        genre,
        date: await daysFromNow(30),
      }),
    );
    await waitForMail([outlet.email], 'New single:');

    expect(sent.status).toBe(202);
    expect((await mailTo(outlet.email))[0].subject).toContain('Night Drive');
    const view = await releaseView(label.id, icpn);
    expect(view.release?.territories).toEqual(['GB', 'IE']);
  });

  it('takes an album of twelve tracks released worldwide', async () => {
    const genre = uniqueId('genre');
    const label = await aLabel();
    const outlet = await createOutlet({ genres: [genre], territories: ['JP'] });
    const icpn = anIcpn();

    const sent = await sendErn(
      label,
      ernMessage('album-12-tracks', {
        messageId: uniqueId('MSG'),
        createdAt: await labelTime(),
        icpn,
        genre,
        date: await daysFromNow(40),
      }),
    );
    await waitForMail([outlet.email], 'New album:');

    expect(sent.status).toBe(202);
    const view = await releaseView(label.id, icpn);
    expect(view.release?.tracks).toHaveLength(12);
    expect(view.release?.territories).toEqual(['WW']);
    expect((await mailTo(outlet.email))[0].body.text).toContain('The Midnight Echoes, Ada Vale');
  });

  it('withdraws a territory taken down and one a later message leaves out, telling only their outlets', async () => {
    const { genre, label, gb, de, us, icpn, dates } = await threeTerritories();
    await sendErn(
      label,
      ernMessage('three-territories', {
        messageId: uniqueId('MSG'),
        createdAt: await labelTime(),
        icpn,
        genre,
        ...dates,
      }),
    );
    await waitForMail([gb.email, de.email, us.email], 'New single:');

    const takedown = await sendErn(
      label,
      ernMessage('takedown', {
        messageId: uniqueId('MSG'),
        createdAt: await labelTime(1),
        icpn,
        genre,
        ...dates,
        takenDownOn: (await labelTime()).slice(0, 10),
      }),
    );
    await waitForMail([de.email, us.email], 'Cancelled:');

    expect(takedown.status).toBe(202);
    for (const [outlet, where] of [
      [de, 'DE'],
      [us, 'US'],
    ] as const) {
      const [cancellation, ...more] = await mailTo(outlet.email, 'Cancelled:');
      expect(more).toHaveLength(0);
      expect(cancellation.body.text).toContain(`It is withdrawn in ${where}.`);
    }
    expect(await mailTo(gb.email, 'Cancelled:')).toHaveLength(0);
    const view = await releaseView(label.id, icpn);
    expect(view).toMatchObject({ state: 'scheduled', release: { territories: ['GB'] } });
  });

  it('moves one territory’s street date on a later message: only its outlets hear, and its out-now goes at the new moment', {
    timeout: 120_000,
  }, async () => {
    const { genre, label, gb, de, us, icpn, dates } = await threeTerritories();
    const movedDE = await daysFromNow(34);
    const message = async (values: typeof dates, minutesAfter: number) =>
      ernMessage('three-territories', {
        messageId: uniqueId('MSG'),
        createdAt: await labelTime(minutesAfter),
        icpn,
        genre,
        ...values,
      });
    // ERN deals carry calendar dates: each street date is midnight in its territory, the last of the
    // US zones' midnights there (docs/design.md#ddex-ern).
    const justAfter = (date: string, country: string) =>
      new Date(
        Math.max(
          ...countryZones(country).map((timeZone) =>
            instantOf({ releaseDate: date, releaseTime: '00:00', timeZone }),
          ),
        ) + 60_000,
      ).toISOString();
    await sendErn(label, await message(dates, 0));
    await waitForMail([gb.email, de.email, us.email], 'New single:');

    const update = await sendErn(label, await message({ ...dates, dateDE: movedDE }, 1));
    await waitForMail([de.email], 'New date:');
    await advanceClock(justAfter(dates.dateGB, 'GB'));
    await waitForMail([gb.email], 'Out now:');
    await advanceClock(justAfter(dates.dateDE, 'DE'));
    await busIdle();
    const deAtItsOldDate = await mailTo(de.email, 'Out now:');
    await advanceClock(justAfter(dates.dateUS, 'US'));
    await waitForMail([us.email], 'Out now:');
    await advanceClock(justAfter(movedDE, 'DE'));
    await waitForMail([de.email], 'Out now:');

    expect(update.status).toBe(202);
    const [dateChange, ...moreChanges] = await mailTo(de.email, 'New date:');
    expect(moreChanges).toHaveLength(0);
    expect(dateChange.body.text).toContain('in DE');
    expect(await mailTo(gb.email, 'New date:')).toHaveLength(0);
    expect(await mailTo(us.email, 'New date:')).toHaveLength(0);
    expect(deAtItsOldDate).toHaveLength(0);
    for (const outlet of [gb, de, us]) {
      expect(await mailTo(outlet.email, 'Out now:')).toHaveLength(1);
      expect(await mailTo(outlet.email, 'New single:')).toHaveLength(1);
    }
    expect(await releaseView(label.id, icpn)).toMatchObject({ state: 'out' });
  });

  // RFC 6839 and RFC 7303: a +xml media type is XML; what it holds must still be an ERN message (docs/design.md#ddex-ern).
  it('takes an ERN message sent as application/vnd.ddex.ern+xml through the gateway, and answers 400 to an Atom feed sent as application/atom+xml', async () => {
    const label = await aLabel();
    const icpn = anIcpn();
    const xml = await aSingle({ icpn });
    const atom = '<feed xmlns="http://www.w3.org/2005/Atom"><title>Night Drive</title></feed>';

    const sent = await sendErn(label, xml, { contentType: 'application/vnd.ddex.ern+xml' });
    const feed = await sendErn(label, atom, { contentType: 'application/atom+xml' });

    expect(sent.status).toBe(202);
    expect(feed).toMatchObject({ status: 400 });
    expect(feed.body.message).toContain('is not in an ERN namespace Backline takes');
    const view = await waitFor(async () => (await releaseView(label.id, icpn)).release ?? undefined);
    expect(view.title).toBe('Night Drive');
  });

  it('answers 400 naming the element an ERN message lacks, 400 for ERN 3.x, and takes neither', async () => {
    const label = await aLabel();
    const icpn = anIcpn();
    const xml = await aSingle({ icpn, genre: 'synthpop' });

    const noTitle = await sendErn(
      label,
      xml.replace(
        /<DisplayTitleText>Night Drive<\/DisplayTitleText>\s*<DisplayTitle>.*<\/DisplayTitle>\s*<DisplayArtistName>The Midnight Echoes<\/DisplayArtistName>\s*<DisplayArtist SequenceNumber="1">\s*<ArtistPartyReference>PMidnightEchoes<\/ArtistPartyReference>\s*<DisplayArtistRole>MainArtist<\/DisplayArtistRole>\s*<\/DisplayArtist>\s*<ReleaseLabelReference>/,
        '<ReleaseLabelReference>',
      ),
    );
    const ern3 = await sendErn(
      label,
      xml.replace('http://ddex.net/xml/ern/43', 'http://ddex.net/xml/ern/382'),
    );

    expect(noTitle).toMatchObject({ status: 400 });
    expect(noTitle.body.message).toContain('NewReleaseMessage/ReleaseList/Release/DisplayTitleText');
    expect(ern3.status).toBe(400);
    expect(ern3.body.message).toContain('ERN 3.x');
    await busIdle();
    expect((await api(`/labels/${label.id}/releases/${icpn}`)).status).toBe(404);
  });

  it('answers 400 naming the release id for one too long to be a key, never a 5xx', async () => {
    const label = await aLabel();
    const xml = await aSingle({ icpn: '5'.repeat(2_100), genre: 'synthpop' });

    const response = await sendErn(label, xml);

    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/^NewReleaseMessage\/ReleaseList\/Release\/ReleaseId: /);
  });

  it('replays a recorded ERN message from its raw XML, announcing nobody twice', async () => {
    const genre = uniqueId('genre');
    const label = await aLabel();
    const outlet = await createOutlet({ genres: [genre], territories: ['IE'] });
    const from = new Date((await clockNow()).getTime() - 1_000).toISOString();
    await sendErn(label, await aSingle({ genre }));
    await waitForMail([outlet.email], 'New single:');

    const replay = await replayWebhooks(label.id, {
      from,
      to: new Date((await clockNow()).getTime() + 1_000).toISOString(),
    });
    await busIdle();

    expect(replay).toMatchObject({ status: 'done', result: { replayed: 1 } });
    expect(await mailTo(outlet.email, 'New single:')).toHaveLength(1);
  });

  it('replays the records it can and lists, with why, one the reader now refuses (stored before it became stricter), keeping it with the reason', async () => {
    const genre = uniqueId('genre');
    const label = await aLabel();
    const outlet = await createOutlet({ genres: [genre], territories: ['IE'] });
    const from = new Date((await clockNow()).getTime() - 1_000).toISOString();
    const [kept, refused] = [uniqueId('MSG'), uniqueId('MSG')];
    for (const messageId of [kept, refused]) {
      await sendErn(label, await aSingle({ messageId, genre }));
    }
    await waitFor(async () => (await mailTo(outlet.email, 'New single:')).length === 2, {
      what: 'both announcements',
    });
    // As an earlier reader kept it: a title with an HTML name, which is now not well-formed XML.
    const table = { client: documentClient(), TableName: cloud().tableName };
    const key = webhookKey(label.id, refused, 'ern');
    const { Item } = await table.client.send(new GetCommand({ TableName: table.TableName, Key: key }));
    const body = String(Item?.body).replace(
      /(<ReleaseType>[\s\S]*?<DisplayTitleText>)Night Drive/,
      '$1Caf&eacute;',
    );
    await table.client.send(
      new UpdateCommand({
        TableName: table.TableName,
        Key: key,
        UpdateExpression: 'SET body = :body',
        ExpressionAttributeValues: { ':body': body },
      }),
    );

    const range = { from, to: new Date((await clockNow()).getTime() + 1_000).toISOString() };
    const replay = await replayWebhooks(label.id, range);
    await busIdle();

    const reason =
      '(body): body is not well-formed XML (&eacute; is no XML escape: write the character itself)';
    const told = {
      status: 'done',
      result: {
        replayed: 1,
        rejectedCount: 1,
        rejected: [{ webhookId: refused, error: `its event can no longer be built: ${reason}` }],
      },
    };
    expect(await (await api(`/jobs/${replay.jobId}`)).json()).toMatchObject(told);
    const after = await table.client.send(new GetCommand({ TableName: table.TableName, Key: key }));
    expect(after.Item).toMatchObject({ status: 'unpublishable', unpublishableReason: reason, body });
    // Replayed again, it is listed by the replay itself, from its record.
    expect(await replayWebhooks(label.id, range)).toMatchObject(told);
    await busIdle();
    expect(await mailTo(outlet.email, 'New single:')).toHaveLength(2);
  });

  it('gives the same announcement for a release described in ERN and in JSON', async () => {
    const genre = uniqueId('genre');
    const [ernLabel, jsonLabel] = [await aLabel(), await aLabel()];
    const [ernOutlet, jsonOutlet] = [
      await createOutlet({ genres: [`${genre}-ern`], territories: ['GB'], contactName: 'Sam' }),
      await createOutlet({ genres: [`${genre}-json`], territories: ['GB'], contactName: 'Sam' }),
    ];
    const date = await daysFromNow(30);
    const icpn = anIcpn();

    await sendErn(
      ernLabel,
      ernMessage('single', {
        messageId: uniqueId('MSG'),
        createdAt: await labelTime(),
        icpn,
        genre: `${genre}-ern`,
        date,
      }),
    );
    await sendWebhook(jsonLabel, {
      type: 'release.scheduled',
      timestamp: await labelTime(),
      data: {
        releaseId: icpn,
        title: 'Night Drive',
        artists: [{ name: 'The Midnight Echoes' }],
        kind: 'single',
        releaseDate: date,
        releaseTime: '00:00',
        // As the ERN single's deals read: midnight in each territory (docs/design.md#ddex-ern).
        timeZone: 'Europe/London',
        territoryDates: [
          { territories: ['GB'], releaseDate: date, releaseTime: '00:00', timeZone: 'Europe/London' },
          { territories: ['IE'], releaseDate: date, releaseTime: '00:00', timeZone: 'Europe/Dublin' },
        ],
        territories: ['GB', 'IE'],
        genres: [`${genre}-json`],
        upc: icpn,
        tracks: [{ title: 'Night Drive', isrc: 'GBAYE2700001', durationSeconds: 225 }],
      },
    });
    await waitForMail([ernOutlet.email, jsonOutlet.email], 'New single:');

    const [fromErn] = await mailTo(ernOutlet.email);
    const [fromJson] = await mailTo(jsonOutlet.email);
    expect(fromErn.subject).toBe(fromJson.subject);
    expect(sharedText(fromErn, ernOutlet)).toBe(sharedText(fromJson, jsonOutlet));
  });
});
