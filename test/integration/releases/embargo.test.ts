import { describe, expect, it } from 'vitest';
import { formatInstant } from '#shared/mail/data.ts';
import { aLabel, aRelease, daysFromNow, mailTo, sendWebhook, waitForMail } from '#test/support/announcing.ts';
import { browserOrSkip } from '#test/support/browser.ts';
import { advanceClock, api, busIdle, clockNow, cloud, uniqueId, waitFor } from '#test/support/cloud.ts';
import { createOutlet, outletPerTerritory } from '#test/support/outlets-cloud.ts';

/** Embargoes end to end on the local cloud, advancing its clock across them. */
const at = async (minutesFromNow: number) =>
  new Date((await clockNow()).getTime() + minutesFromNow * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

const promoPath = (text: string) => {
  const url = text.match(/https?:\/\/\S+\/p\/v1\.[A-Za-z0-9._-]+/)?.[0];
  if (!url) throw new Error(`no promo link in: ${text}`);
  return new URL(url).pathname;
};

/** The promo link's page's button (a GET of the link shows the page and counts nothing). */
const openPromo = (path: string) =>
  fetch(`${cloud().baseUrl}${path}`, { method: 'POST', redirect: 'manual' });

const deliveryOf = async (labelId: string, releaseId: string, outletId: string) => {
  const { deliveries } = (await (
    await api(`/labels/${labelId}/releases/${releaseId}/deliveries`)
  ).json()) as {
    deliveries: {
      outletId: string;
      kind: string;
      promoAccesses: number;
      promoFirstAccessAt?: string;
      promoLastAccessAt?: string;
    }[];
  };
  return deliveries.find((row) => row.outletId === outletId && row.kind === 'announcement');
};

describe('embargoes on the local cloud', () => {
  it('holds the announcement until announceAt and the promo until promoAvailableAt, counting only accesses after it', async () => {
    const genre = uniqueId('genre');
    const label = await aLabel();
    const outlet = await createOutlet({ genres: [genre], territories: ['GB'] });
    const announceAt = await at(2 * 24 * 60);
    const promoAvailableAt = await at(3 * 24 * 60 + 30);
    const release = aRelease({
      genres: [genre],
      territories: ['GB'],
      releaseDate: await daysFromNow(30),
      timeZone: 'Europe/London',
      announceAt,
      promoAvailableAt,
    });

    const sent = await sendWebhook(label, {
      type: 'release.scheduled',
      timestamp: await at(0),
      data: release,
    });
    await busIdle();
    const beforeEmbargoEnds = await mailTo(outlet.email);
    await advanceClock(new Date(Date.parse(announceAt) - 5 * 60_000).toISOString());
    await busIdle();
    const justBefore = await mailTo(outlet.email);
    const { fired } = await advanceClock(new Date(Date.parse(announceAt) + 60_000).toISOString());
    const [announcement] = await waitFor(async () => {
      const mails = await mailTo(outlet.email, 'New single:');
      return mails.length > 0 && mails;
    });
    await busIdle();

    expect(sent.status).toBe(202);
    expect(beforeEmbargoEnds).toHaveLength(0);
    expect(justBefore).toHaveLength(0);
    expect(fired.some((f) => f.name.startsWith('announce-'))).toBe(true);
    expect(await mailTo(outlet.email, 'New single:')).toHaveLength(1);
    // Mailed before the promo opens, the announcement says when, as the "not yet" page does.
    const opens = `They open on ${formatInstant(promoAvailableAt, 'Europe/London')}.`;
    expect(announcement.body.text).toContain(opens);
    expect(announcement.body.html).toContain(opens);

    const path = promoPath(announcement.body.text ?? '');
    const early = await openPromo(path);
    const earlyPage = await early.text();
    const uncounted = await deliveryOf(label.id, release.releaseId, outlet.id);
    await advanceClock(new Date(Date.parse(promoAvailableAt) + 60_000).toISOString());
    const opened = await openPromo(path);
    await advanceClock(new Date(Date.parse(promoAvailableAt) + 2 * 3_600_000).toISOString());
    const openedAgain = await openPromo(path);
    const counted = await deliveryOf(label.id, release.releaseId, outlet.id);

    expect(early.status).toBe(403);
    expect(earlyPage).toContain('available from');
    expect(earlyPage).toContain('(Europe/London)');
    expect(uncounted?.promoAccesses).toBe(0);
    expect([opened.status, openedAgain.status]).toEqual([303, 303]);
    expect(counted).toMatchObject({ promoAccesses: 2 });
    expect(Date.parse(counted?.promoFirstAccessAt ?? '')).toBeGreaterThan(Date.parse(promoAvailableAt));
    expect(Date.parse(counted?.promoLastAccessAt ?? '')).toBeGreaterThan(
      Date.parse(counted?.promoFirstAccessAt ?? ''),
    );
  });

  it('counts a promo link’s days from when the promo opens, not from the mail, when promoAvailableAt is later', async () => {
    const genre = uniqueId('genre');
    const label = await aLabel();
    const outlet = await createOutlet({ genres: [genre], territories: ['GB'] });
    const promoAvailableAt = await at(6 * 24 * 60);
    const release = aRelease({
      genres: [genre],
      territories: ['GB'],
      releaseDate: await daysFromNow(30),
      timeZone: 'Europe/London',
      promoAvailableAt,
      promoAssets: [{ kind: 'stream', url: 'https://promo.example.com/two-days', expiresInDays: 2 }],
    });
    await sendWebhook(label, { type: 'release.scheduled', timestamp: await at(0), data: release });
    const [announcement] = await waitFor(async () => {
      const mails = await mailTo(outlet.email, 'New single:');
      return mails.length > 0 && mails;
    });
    const path = promoPath(announcement.body.text ?? '');

    await advanceClock(new Date(Date.parse(promoAvailableAt) + 60_000).toISOString());
    const opened = await openPromo(path);
    await advanceClock(new Date(Date.parse(promoAvailableAt) + 2 * 24 * 3_600_000 + 60_000).toISOString());
    const afterItsDays = await openPromo(path);

    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('https://promo.example.com/two-days');
    expect(afterItsDays.status).toBe(410);
    expect(await afterItsDays.text()).toContain('The link has expired.');
  });

  /**
   * A release whose promo opens `firstMinutes` from now, a stream link lasting 2 days, announced to one
   * outlet; then the label moves promoAvailableAt to `movedMinutes` from now. The announcement's promo
   * link, and the instant the promo opens now.
   */
  const promoMovedAfterTheMail = async (firstMinutes: number, movedMinutes: number) => {
    const genre = uniqueId('genre');
    const label = await aLabel();
    const outlet = await createOutlet({ genres: [genre], territories: ['GB'] });
    const release = aRelease({
      genres: [genre],
      territories: ['GB'],
      releaseDate: await daysFromNow(30),
      timeZone: 'Europe/London',
      promoAvailableAt: await at(firstMinutes),
      promoAssets: [{ kind: 'stream', url: 'https://promo.example.com/moved', expiresInDays: 2 }],
    });
    await sendWebhook(label, { type: 'release.scheduled', timestamp: await at(0), data: release });
    const [announcement] = await waitFor(async () => {
      const mails = await mailTo(outlet.email, 'New single:');
      return mails.length > 0 && mails;
    });
    const movedTo = await at(movedMinutes);
    await sendWebhook(label, {
      type: 'release.updated',
      timestamp: await at(1),
      data: { ...release, promoAvailableAt: movedTo },
    });
    await busIdle();
    return { path: promoPath(announcement.body.text ?? ''), movedTo: Date.parse(movedTo) };
  };
  /** Opens the link at `instant` (epoch ms) of the local clock. */
  const openAt = async (path: string, instant: number) => {
    await advanceClock(new Date(instant).toISOString());
    return openPromo(path);
  };
  const twoDays = 2 * 24 * 3_600_000;

  it('opens a promo link for its days from promoAvailableAt as the label moved it after the mail went out', async () => {
    const { path, movedTo } = await promoMovedAfterTheMail(2 * 24 * 60, 10 * 24 * 60);

    // Past the days counted from the first promoAvailableAt, still before the moved one.
    const beforeItOpens = await openAt(path, movedTo - 60 * 60_000);
    const opened = await openAt(path, movedTo + 60_000);
    const afterItsDays = await openAt(path, movedTo + twoDays + 60_000);

    expect(beforeItOpens.status).toBe(403);
    expect(opened.status).toBe(303);
    expect(afterItsDays.status).toBe(410);
  });

  it('opens and ends a promo link earlier when the label moves promoAvailableAt earlier', async () => {
    const { path, movedTo } = await promoMovedAfterTheMail(10 * 24 * 60, 24 * 60);

    const opened = await openAt(path, movedTo + 60_000);
    const afterItsDays = await openAt(path, movedTo + twoDays + 60_000);

    expect(opened.status).toBe(303);
    expect(afterItsDays.status).toBe(410);
    expect(await afterItsDays.text()).toContain('The link has expired.');
  });

  it('announces at once where no embargo holds, and a territory under its own embargo at its end', async () => {
    const genre = uniqueId('genre');
    const label = await aLabel();
    const [gb, de] = await outletPerTerritory(genre, ['GB', 'DE']);
    const germanAnnounceAt = await at(24 * 60);
    const release = aRelease({
      genres: [genre],
      territories: ['GB', 'DE'],
      releaseDate: await daysFromNow(30),
      timeZone: 'Europe/London',
      territoryDates: [
        {
          territories: ['DE'],
          releaseDate: await daysFromNow(31),
          timeZone: 'Europe/Berlin',
          announceAt: germanAnnounceAt,
        },
      ],
    });

    await sendWebhook(label, { type: 'release.scheduled', timestamp: await at(0), data: release });
    await waitForMail([gb.email], 'New single:');
    const germanBefore = await mailTo(de.email);
    await advanceClock(new Date(Date.parse(germanAnnounceAt) + 60_000).toISOString());
    await waitForMail([de.email], 'New single:');

    expect(germanBefore).toHaveLength(0);
    expect(await mailTo(gb.email, 'New single:')).toHaveLength(1);
    expect(await mailTo(de.email, 'New single:')).toHaveLength(1);
  });

  it('states the embargo it held to the directory at its end, and none to the outlets a widening after it announces', async () => {
    const genre = uniqueId('genre');
    const label = await aLabel();
    const [gb, us] = await outletPerTerritory(genre, ['GB', 'US']);
    const announceAt = await at(24 * 60);
    const release = aRelease({
      genres: [genre],
      territories: ['GB'],
      releaseDate: await daysFromNow(30),
      timeZone: 'Europe/London',
      announceAt,
    });
    await sendWebhook(label, { type: 'release.scheduled', timestamp: await at(0), data: release });
    await busIdle();
    await advanceClock(new Date(Date.parse(announceAt) + 60_000).toISOString());
    await waitForMail([gb.email], 'New single:');

    // A day after the embargo ended, the label widens the release to the US.
    await advanceClock(new Date(Date.parse(announceAt) + 24 * 3_600_000).toISOString());
    await sendWebhook(label, {
      type: 'release.updated',
      timestamp: await at(0),
      data: { ...release, territories: ['GB', 'US'] },
    });
    await waitForMail([us.email], 'New single:');
    const [held] = await mailTo(gb.email, 'New single:');
    const [widened] = await mailTo(us.email, 'New single:');

    const line = `please publish nothing before ${formatInstant(announceAt, 'Europe/London')}`;
    expect(held.body.text).toContain(line);
    expect(held.body.html).toContain(line);
    expect(`${widened.body.text}${widened.body.html}`).not.toContain('please publish nothing before');
  });

  it('shows a person opening a promo link too early when it opens, in a browser', async (context) => {
    const found = await browserOrSkip();
    if ('skip' in found) return context.skip(found.skip);
    const genre = uniqueId('genre');
    const label = await aLabel();
    const outlet = await createOutlet({ genres: [genre], territories: ['GB'] });
    const release = aRelease({
      genres: [genre],
      territories: ['GB'],
      releaseDate: await daysFromNow(30),
      timeZone: 'Europe/London',
      promoAvailableAt: '2099-06-01T11:00:00Z',
    });
    await sendWebhook(label, { type: 'release.scheduled', timestamp: await at(0), data: release });
    const [announcement] = await waitFor(async () => {
      const mails = await mailTo(outlet.email, 'New single:');
      return mails.length > 0 && mails;
    });

    const page = await found.browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      const response = await page.goto(`${cloud().baseUrl}${promoPath(announcement.body.text ?? '')}`);

      expect(response?.status()).toBe(403);
      expect(await page.locator('h1').textContent()).toBe('This promo is not available yet');
      expect(await page.locator('p').first().textContent()).toContain(
        'The promo is available from 1 June 2099 at 12:00 (Europe/London).',
      );
    } finally {
      await found.browser.close();
    }
  });
});
