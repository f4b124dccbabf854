import { describe, expect, it } from 'vitest';
import { releaseDayScheduleName } from '#functions/releases/adapters.ts';
import { wallTimeIn } from '#shared/calendar.ts';
import { isMailable, type Outlet } from '#shared/outlets.ts';
import {
  aLabel,
  aRelease,
  daysFromNow,
  header,
  mailTo,
  releaseDaySchedule,
  sendWebhook,
  waitForMail,
} from '#test/support/announcing.ts';
import {
  advanceClock,
  api,
  armFault,
  type BusEventRecord,
  busEvents,
  busIdle,
  clockNow,
  deadLetters,
  faultsReport,
  firedSince,
  uniqueId,
} from '#test/support/cloud.ts';
import { importOutlets, replayWebhooks } from '#test/support/jobs-cloud.ts';
import { aDomain, createOutlet, localOutletDirectory, uniqueEmail } from '#test/support/outlets-cloud.ts';

/**
 * Releases and the announcer end to end: webhooks in, mail read back from the SES store. Each test
 * uses its own genre, so only its own outlets match (outlets of other tests that cover every genre
 * may receive mail too; assertions look only at this test's outlets).
 */
async function world(
  options: { outlets?: number; domain?: string; release?: Partial<ReturnType<typeof aRelease>> } = {},
) {
  const genre = uniqueId('genre');
  const label = await aLabel();
  const outlets: Outlet[] = [];
  for (let i = 0; i < (options.outlets ?? 2); i++) {
    outlets.push(
      await createOutlet({
        name: `Radio ${i}`,
        genres: [genre],
        territories: ['GB'],
        contactName: `Host ${i}`,
        ...(options.domain ? { email: uniqueEmail('outlet', options.domain) } : {}),
      }),
    );
  }
  // The announcer handles the outlets' own Outlets Changed before a test arms its faults, so a fault
  // meant for the release's mailing is not spent on them.
  await busIdle();
  const release = aRelease({
    genres: [genre],
    territories: ['GB'],
    releaseDate: await daysFromNow(30),
    releaseTime: '09:00',
    timeZone: 'Europe/London',
    ...options.release,
  });
  return { genre, label, outlets, release };
}

const scheduled = (release: ReturnType<typeof aRelease>, timestamp: string) => ({
  type: 'release.scheduled',
  timestamp,
  data: release,
});

const labelTime = async (minutesAfter = 0) =>
  new Date((await clockNow()).getTime() + minutesAfter * 60_000).toISOString();

const deliveries = async (labelId: string, releaseId: string) =>
  (
    (await (await api(`/labels/${labelId}/releases/${releaseId}/deliveries`)).json()) as {
      deliveries: {
        outletId: string;
        email: string;
        kind: string;
        status: string;
        messageId: string | null;
      }[];
    }
  ).deliveries;

describe('announcing releases on the local cloud', () => {
  it('announces a release to every matching outlet once, with one-click unsubscribe, and to no other', async () => {
    const { label, outlets, release, genre } = await world();
    const elsewhere = await createOutlet({ genres: [genre], territories: ['FR'] });
    const otherGenre = await createOutlet({ genres: [`${genre}-not`], territories: ['GB'] });

    const response = await sendWebhook(label, scheduled(release, await labelTime()));
    await waitForMail(
      outlets.map((o) => o.email),
      'New single:',
    );

    expect(response.status).toBe(202);
    for (const outlet of outlets) {
      const [mail, ...more] = await mailTo(outlet.email);
      expect(more).toHaveLength(0);
      expect(mail.subject).toContain(release.title);
      expect(header(mail, 'List-Unsubscribe')).toMatch(/^<http:\/\/.+\/u\/v2\.[A-Za-z0-9_-]+>$/);
      expect(header(mail, 'List-Unsubscribe')).not.toContain(
        Buffer.from(outlet.email).toString('base64url').slice(0, 12),
      );
      expect(header(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(mail.body.text).toContain(`Hello ${outlet.contactName}`);
      expect(mail.body.html).toContain('/p/v1.');
    }
    expect(await mailTo(elsewhere.email)).toHaveLength(0);
    expect(await mailTo(otherGenre.email)).toHaveLength(0);
    const view = (await (await api(`/labels/${label.id}/releases/${release.releaseId}`)).json()) as {
      state: string;
      mail: Record<string, Record<string, number>>;
    };
    expect(view.state).toBe('scheduled');
    expect(view.mail.announcement.sent).toBeGreaterThanOrEqual(2);
    const rows = (await deliveries(label.id, release.releaseId)).filter((row) =>
      outlets.some((o) => o.id === row.outletId),
    );
    expect(rows).toEqual(
      expect.arrayContaining(
        outlets.map((o) =>
          expect.objectContaining({
            outletId: o.id,
            email: o.email,
            kind: 'announcement',
            status: 'sent',
            messageId: expect.any(String),
          }),
        ),
      ),
    );
    expect(rows).toHaveLength(outlets.length);
    const announced = await busEvents({ detailType: 'Release Announced' });
    expect(announced.some((e) => e.detail.data?.releaseId === release.releaseId)).toBe(true);
  });

  it('mails an address once when its outlet is deleted, imported again in other case and spacing, the release replayed and announced again', async () => {
    const { label, outlets, release, genre } = await world({ outlets: 1 });
    const [outlet] = outlets;
    const from = new Date((await clockNow()).getTime() - 1_000).toISOString();
    await sendWebhook(label, scheduled(release, await labelTime()));
    await waitForMail([outlet.email], 'New single:');

    const deleted = await api(`/media-outlets/${outlet.id}`, { method: 'DELETE' });
    const recreated = await api('/media-outlets', {
      method: 'POST',
      json: {
        name: 'Re-created',
        email: `  ${outlet.email.toUpperCase()} `,
        kind: 'radio',
        genres: [genre],
        territories: ['GB'],
      },
    });
    const replay = await replayWebhooks(label.id, {
      from,
      to: new Date((await clockNow()).getTime() + 1_000).toISOString(),
    });
    // Widening the release asks for the announcement again, for every matching outlet.
    const irish = await createOutlet({ genres: [genre], territories: ['IE'] });
    await sendWebhook(label, {
      type: 'release.updated',
      timestamp: await labelTime(1),
      data: { ...release, territories: ['GB', 'IE'] },
    });
    await waitForMail([irish.email], 'New single:');

    expect([deleted.status, recreated.status]).toEqual([204, 201]);
    expect(replay).toMatchObject({ status: 'done', result: { replayed: 1 } });
    expect(await mailTo(outlet.email, 'New single:')).toHaveLength(1);
  });

  it('resends an announcement left open, once stale, to its outlet deleted and imported again at the same address', async () => {
    // Its address at a domain of its own, so that the faults below are this mail's and no other's.
    const domain = aDomain('left-open');
    const { label, outlets, release, genre } = await world({ outlets: 1, domain });
    const [outlet] = outlets;
    // SES takes the call, its answer and its Email Sent (its first event) lost: the claim stays open,
    // as a crash leaves it.
    await armFault(`ses.accept-then-fail:${domain}`, 1);
    await armFault(`ses.event-drop:${domain}`, 1);
    await sendWebhook(label, scheduled(release, await labelTime()));
    await waitForMail([outlet.email], 'New single:');
    await busIdle();

    // Within the stale window, the outlet deleted and imported again: its announcement finds the open
    // claim and passes the address; the sweep, the window past, has the claim to decide.
    const deleted = await api(`/media-outlets/${outlet.id}`, { method: 'DELETE' });
    const imported = await importOutlets(
      `name,email,kind,genres,territories\nBack again,${outlet.email},radio,${genre},GB`,
    );
    await busIdle();
    await advanceClock(new Date((await clockNow()).getTime() + 40 * 60_000).toISOString());
    await busIdle();

    expect([deleted.status, imported.result]).toEqual([204, expect.objectContaining({ created: 1 })]);
    const mail = (await deliveries(label.id, release.releaseId)).filter((row) => row.email === outlet.email);
    const again = await localOutletDirectory().findByEmail(outlet.email);
    // Its row names the outlet it was sent to, the one imported again.
    expect(mail.map((row) => [row.kind, row.status, row.outletId])).toEqual([
      ['announcement', 'sent', again?.id],
    ]);
  });

  it('sends one announcement for the same webhook twice and for the same release under two webhook ids', async () => {
    const { label, outlets, release } = await world();
    const body = scheduled(release, await labelTime());

    const first = await sendWebhook(label, body, { id: uniqueId('msg_same-release') });
    await sendWebhook(label, body, { id: first.webhookId });
    await sendWebhook(label, body);
    await sendWebhook(label, { ...body, timestamp: await labelTime(1) });
    await waitForMail(
      outlets.map((o) => o.email),
      'New single:',
    );

    for (const outlet of outlets) expect(await mailTo(outlet.email, 'New single:')).toHaveLength(1);
  });

  it('sends each mail once when SES accepts a call and then fails it, and when the announcer crashes after returning', async () => {
    const domain = aDomain('answer-lost');
    const { label, outlets, release } = await world({ outlets: 3, domain });
    const before = await faultsReport();
    await armFault(`ses.accept-then-fail:${domain}`, 1);
    // Aimed at this release's mailing, so that no other invocation of the announcer on the shared cloud takes it.
    const crash = `invoke.crash-after-return:announcer.Mailing Requested.${release.releaseId}`;
    await armFault(crash, 1);

    await sendWebhook(label, scheduled(release, await labelTime()));
    await waitForMail(
      outlets.map((o) => o.email),
      'New single:',
    );

    for (const outlet of outlets) expect(await mailTo(outlet.email)).toHaveLength(1);
    const rows = (await deliveries(label.id, release.releaseId)).filter((row) =>
      outlets.some((o) => o.id === row.outletId),
    );
    expect(rows.map((row) => row.status)).toEqual(['sent', 'sent', 'sent']);
    expect(rows.every((row) => row.messageId)).toBe(true);
    expect((await deadLetters()).filter((d) => JSON.stringify(d.event).includes(release.releaseId))).toEqual(
      [],
    );
    const fired = await firedSince(before);
    expect(fired[`ses.accept-then-fail:${domain}`]).toBe(1);
    expect(fired[crash]).toBe(1);
    // The announcer's invocation for this release's mailing crashed once after returning, and its retry ran it.
    const mailing = (await busEvents({ detailType: 'Mailing Requested' })).filter(
      (event) => event.detail.data?.releaseId === release.releaseId,
    );
    expect(mailing.flatMap((event) => event.invocations.map((run) => [run.function, run.attempts]))).toEqual([
      ['announcer', 2],
    ]);
  });

  it("states the release's Release Announced once, with the mailing's counts, when the announcer crashes after returning", async () => {
    const { label, outlets, release } = await world({ outlets: 3 });
    const before = await faultsReport();
    // Aimed at this release's mailing, so that no other invocation of the announcer on the shared cloud takes it.
    const crash = `invoke.crash-after-return:announcer.Mailing Requested.${release.releaseId}`;
    await armFault(crash, 1);

    await sendWebhook(label, scheduled(release, await labelTime()));
    await waitForMail(
      outlets.map((o) => o.email),
      'New single:',
    );
    await busIdle();

    expect((await firedSince(before))[crash]).toBe(1);
    const ofRelease = (event: BusEventRecord) =>
      event.detail.data?.labelId === label.id && event.detail.data?.releaseId === release.releaseId;
    const mailing = (await busEvents({ detailType: 'Mailing Requested' })).filter(ofRelease);
    expect(mailing.flatMap((event) => event.invocations.map((run) => [run.function, run.attempts]))).toEqual([
      ['announcer', 2],
    ]);
    // The retry mailed no one (its claims were taken) and states no fact of its own.
    const announced = (await busEvents({ detailType: 'Release Announced' })).filter(ofRelease);
    expect(announced).toHaveLength(1);
    // Outlets of other files that list every genre may be mailed too, by the mailing or, created while it
    // ran, by a mailing of their own (which states no fact): the fact counts this test's outlets and at
    // most every mail of the release.
    const sent = (await deliveries(label.id, release.releaseId)).filter((row) => row.status === 'sent');
    expect(announced[0].detail.data?.sent).toBeGreaterThanOrEqual(outlets.length);
    expect(announced[0].detail.data?.sent).toBeLessThanOrEqual(sent.length);
  });

  it('tells announced outlets about a new date, moves the schedule, and after a cancellation sends no out-now', async () => {
    const { label, outlets, release } = await world();
    await sendWebhook(label, scheduled(release, await labelTime()));
    await waitForMail(
      outlets.map((o) => o.email),
      'New single:',
    );
    const newDate = await daysFromNow(40);

    await sendWebhook(label, {
      type: 'release.updated',
      timestamp: await labelTime(1),
      data: { ...release, releaseDate: newDate },
    });
    await waitForMail(
      outlets.map((o) => o.email),
      'New date:',
    );
    const moved = await releaseDaySchedule(label.id, release.releaseId);
    await sendWebhook(label, {
      type: 'release.cancelled',
      timestamp: await labelTime(2),
      data: { releaseId: release.releaseId, reason: 'The artist withdrew the single.' },
    });
    await waitForMail(
      outlets.map((o) => o.email),
      'Cancelled:',
    );
    const afterCancel = await releaseDaySchedule(label.id, release.releaseId);
    await advanceClock(`${await daysFromNow(41)}T12:00:00Z`);
    await busIdle();

    // 09:00 in London on the new date, named in UTC (docs/design.md#schedules).
    const newInstant = new Date(wallTimeIn(newDate, '09:00', 'Europe/London').epochMs);
    expect(moved?.ScheduleExpression).toBe(`at(${newInstant.toISOString().slice(0, 19)})`);
    expect(moved?.ScheduleExpressionTimezone).toBe('UTC');
    expect(afterCancel).toBeUndefined();
    for (const outlet of outlets) {
      const mails = await mailTo(outlet.email);
      expect(mails.map((m) => m.subject.split(':')[0]).sort()).toEqual([
        'Cancelled',
        'New date',
        'New single',
      ]);
      expect(mails.find((m) => m.subject.startsWith('Cancelled'))?.body.text).toContain(
        'The artist withdrew the single.',
      );
    }
    const view = (await (await api(`/labels/${label.id}/releases/${release.releaseId}`)).json()) as {
      state: string;
    };
    expect(view.state).toBe('cancelled');
  });

  it("names the release's label in its announcement and its cancellation, under the title and in the footer", async () => {
    const { label, outlets, release } = await world({ outlets: 1 });
    const [outlet] = outlets;
    await sendWebhook(label, scheduled(release, await labelTime()));
    await waitForMail([outlet.email], 'New single:');

    await sendWebhook(label, {
      type: 'release.cancelled',
      timestamp: await labelTime(1),
      data: { releaseId: release.releaseId },
    });
    await waitForMail([outlet.email], 'Cancelled:');

    const mails = [
      ...(await mailTo(outlet.email, 'New single:')),
      ...(await mailTo(outlet.email, 'Cancelled:')),
    ];
    expect(mails).toHaveLength(2);
    for (const mail of mails) {
      expect(mail.body.text).toContain('\n\nFrom Nightshift Records\n\n');
      expect(mail.body.text).toContain(`${outlet.name} is in the media list of Nightshift Records.`);
      expect(mail.body.html).toContain('<p>From Nightshift Records</p>');
    }
  });

  it('ignores a change older than the one applied', async () => {
    const { label, outlets, release } = await world();
    await sendWebhook(label, scheduled(release, await labelTime()));
    await waitForMail(
      outlets.map((o) => o.email),
      'New single:',
    );

    await sendWebhook(label, {
      type: 'release.updated',
      timestamp: await labelTime(-5),
      data: { ...release, releaseDate: await daysFromNow(50) },
    });
    await busIdle();

    const view = (await (await api(`/labels/${label.id}/releases/${release.releaseId}`)).json()) as {
      release: { releaseDate: string };
    };
    expect(view.release.releaseDate).toBe(release.releaseDate);
    for (const outlet of outlets) expect(await mailTo(outlet.email, 'New date:')).toHaveLength(0);
  });

  it('sends out-now on release day to announced outlets, except one that unsubscribed with one click', async () => {
    const { label, outlets, release } = await world({ outlets: 3, release: { timeZone: 'UTC' } });
    await sendWebhook(label, scheduled({ ...release, releaseDate: await daysFromNow(2) }, await labelTime()));
    await waitForMail(
      outlets.map((o) => o.email),
      'New single:',
    );
    const [leaver, ...stayers] = outlets;
    const [announcement] = await mailTo(leaver.email, 'New single:');
    const unsubscribeLink = header(announcement, 'List-Unsubscribe')!.slice(1, -1);

    const unsubscribed = await fetch(unsubscribeLink, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    const { fired } = await advanceClock(`${await daysFromNow(2)}T09:01:00Z`);
    await waitForMail(
      stayers.map((o) => o.email),
      'Out now:',
    );

    expect(unsubscribed.status).toBe(200);
    expect(fired.map((f) => f.name)).toContain(releaseDayScheduleName(label.id, release.releaseId));
    for (const outlet of stayers) expect(await mailTo(outlet.email, 'Out now:')).toHaveLength(1);
    expect(await mailTo(leaver.email, 'Out now:')).toHaveLength(0);
    const view = (await (await api(`/labels/${label.id}/releases/${release.releaseId}`)).json()) as {
      state: string;
    };
    expect(view.state).toBe('out');
  });

  it('tells each outlet once that a release announced three days after its street date is out', async () => {
    const { label, outlets, release } = await world({ release: { timeZone: 'UTC' } });
    const emails = outlets.map((o) => o.email);

    await sendWebhook(
      label,
      scheduled({ ...release, releaseDate: await daysFromNow(-3) }, await labelTime()),
    );
    await waitForMail(emails, 'Out now:');
    // Anything a release day would ask a moment later has had its time to arrive.
    await advanceClock(new Date((await clockNow()).getTime() + 2 * 60_000).toISOString());
    await busIdle();

    for (const email of emails) {
      const mails = await mailTo(email);
      expect(mails.map((mail) => mail.subject)).toEqual([
        `Out now: ${release.title} by ${release.artists.map((artist) => artist.name).join(', ')}`,
      ]);
    }
    expect(await releaseDaySchedule(label.id, release.releaseId)).toBeUndefined();
    const view = (await (await api(`/labels/${label.id}/releases/${release.releaseId}`)).json()) as {
      state: string;
    };
    expect(view.state).toBe('out');
  });

  it('keeps an address unsubscribed through its mailed link after its outlet was deleted, when it is imported again', async () => {
    const { label, outlets, release } = await world({ outlets: 1 });
    const [outlet] = outlets;
    await sendWebhook(label, scheduled(release, await labelTime()));
    await waitForMail([outlet.email], 'New single:');
    const [announcement] = await mailTo(outlet.email, 'New single:');
    const unsubscribeLink = header(announcement, 'List-Unsubscribe')!.slice(1, -1);

    const deleted = await api(`/media-outlets/${outlet.id}`, { method: 'DELETE' });
    const unsubscribed = await fetch(unsubscribeLink, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    const imported = await importOutlets(
      `name,email,kind,territories\nBack again,${outlet.email.toUpperCase()},radio,GB`,
    );
    const again = (await localOutletDirectory().findByEmail(outlet.email))!;

    expect([deleted.status, unsubscribed.status]).toEqual([204, 200]);
    expect(imported.result).toMatchObject({ created: 1, updated: 0 });
    expect(again.id).not.toBe(outlet.id);
    expect(again.unsubscribedAt).toBeDefined();
    expect(isMailable(again)).toBe(false);
  });

  it("does not cancel another label's release day when their label and release ids join to the same text", async () => {
    const { outlets, release } = await world({ release: { timeZone: 'UTC' } });
    const acme = await aLabel(uniqueId('acme'));
    const acmeRec = await aLabel(`${acme.id}-rec`);
    const releaseDate = await daysFromNow(3);
    const kept = { ...release, releaseId: 'r3', releaseDate };
    const cancelled = { ...release, releaseId: 'rec-r3', releaseDate };
    await sendWebhook(acmeRec, scheduled(kept, await labelTime()));
    await sendWebhook(acme, scheduled(cancelled, await labelTime()));
    await waitForMail(
      outlets.map((o) => o.email),
      'New single:',
      2,
    );

    await sendWebhook(acme, {
      type: 'release.cancelled',
      timestamp: await labelTime(1),
      data: { releaseId: 'rec-r3' },
    });
    await waitForMail(
      outlets.map((o) => o.email),
      'Cancelled:',
    );
    await advanceClock(`${releaseDate}T09:01:00Z`);
    await waitForMail(
      outlets.map((o) => o.email),
      'Out now:',
    );

    expect(await releaseDaySchedule(acmeRec.id, 'r3')).toBeUndefined();
    for (const outlet of outlets) expect(await mailTo(outlet.email, 'Out now:')).toHaveLength(1);
    const view = (await (await api(`/labels/${acmeRec.id}/releases/r3`)).json()) as { state: string };
    expect(view.state).toBe('out');
  });
});
