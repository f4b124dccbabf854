import { randomBytes } from 'node:crypto';
import {
  ChaosClient,
  type ChaosRow,
  daysAfter,
  pause,
  type ScenarioOptions,
  type StoredMail,
  shareOf,
} from './chaos.ts';
import type { CloudProcess } from './cloud-process.ts';
import { filledAdvanceForm } from './tours.ts';

/**
 * The promoter's advance under chaos (docs/design.md#tours): a tour of 20 shows, 5 promoters, the clock
 * moved through the advance requests, reminders and escalations, some promoters submitting the form as
 * the browser posts it (a 5xx retried as a person would), a few shows given to another promoter midway,
 * and the local cloud killed (SIGKILL) once while the second reminders and the escalations go out.
 */

type Mail = StoredMail & { body?: { text?: string } };
type Step = 'advance-request' | 'advance-reminder-1' | 'advance-reminder-2' | 'advance-escalation';

/** Who held a show, from when (the clock) until when, and when their submission was acknowledged. */
interface Stint {
  email: string;
  from: number;
  to?: number;
  submitted?: number;
  /** A submission that was never acknowledged: whether it was saved is not known. */
  unsure?: boolean;
}

export async function advanceUnderChaos(
  start: () => Promise<CloudProcess>,
  options: ScenarioOptions,
): Promise<ChaosRow> {
  let cloud = await start();
  const client = new ChaosClient(cloud);
  const tag = randomBytes(3).toString('hex');
  const artist = `Advancing ${tag}`;
  const findings: string[] = [];
  // Every mail read from the store, kept across the kill (the store may not survive it).
  const seen = new Map<string, Mail>();
  const mails = async () => {
    for (const mail of (await client.mail()) as Mail[]) seen.set(mail.messageId, mail);
    return [...seen.values()].filter((mail) => mail.subject.includes(artist));
  };
  try {
    const label = await client.label('Advance Records');
    const now = await client.now();
    const t0 = now.getTime();
    const promoters = Array.from({ length: 6 }, (_, k) => ({
      name: `Promoter ${k}`,
      email: `p${k}-${tag}@promoter.example`,
    }));
    const tourManager = { name: 'Tam', email: `tm-${tag}@tm.example` };
    const tourId = `tour-${tag}`;
    // Four shows a day from 40 days on, promoter i % 5: each promoter has shows on several days.
    const shows = Array.from({ length: 20 }, (_, i) => ({
      showId: `show-${i}`,
      date: daysAfter(now, 40 + Math.floor(i / 4)),
      venue: {
        name: `Hall ${i}`,
        address: '1 Main Street',
        city: 'London',
        country: 'GB',
        timeZone: 'Europe/London',
      },
      times: { loadIn: '14:00', soundcheck: '16:30', doors: '19:00', set: '21:00', curfew: '23:00' },
      promoter: promoters[i % 5],
      status: 'confirmed' as const,
    }));
    const stints = shows.map((show) => [{ email: show.promoter.email, from: t0 } as Stint]);
    const about = (i: number) => (mail: Mail) => mail.subject.includes(` at Hall ${i}, `);
    await client.armFaults(options.faults, options.seed);

    const webhooks = [
      await client.webhook(label, {
        type: 'tour.booked',
        timestamp: now.toISOString(),
        data: { tourId, artist: { name: artist }, tourManager, shows },
      }),
    ];
    /** The clock moved to `days` after the booking (00:00 UTC of that day: no step is due at midnight). */
    const dayAt = (days: number) => new Date(`${daysAfter(now, days)}T00:00:00.000Z`);
    // In real time the sweeps come every minute: a claim left open by a send whose answer was lost
    // is resent within minutes, not at the next jump days later, when its promoter may have answered
    // (the sweep then closes it as no longer wanted). So each jump lets them have three chances.
    const jump = async (days: number) => {
      if ((await client.now()) < dayAt(days)) await client.advanceClock(dayAt(days));
      await client.idle();
      for (let chance = 0; chance < 3; chance++) await client.staleWindowPassed();
    };

    /** The show given to promoter `k`: mail to the old one about it after this is a finding. */
    const giveTo = async (i: number, k: number) => {
      const at = (await client.now()).getTime();
      const before = new Set((await mails()).map((mail) => mail.messageId));
      shows[i] = { ...shows[i], promoter: promoters[k] };
      const old = stints[i].at(-1)!;
      old.to = at;
      stints[i].push({ email: promoters[k].email, from: at });
      // Given back to a promoter it was taken from: mail to them from here on is due again.
      for (const taken of given) if (taken.i === i && taken.old === promoters[k].email) taken.back ??= before;
      webhooks.push(
        await client.webhook(label, {
          type: 'tour.show.updated',
          timestamp: new Date(at).toISOString(),
          data: { tourId, show: shows[i] },
        }),
      );
      return { i, old: old.email, before, back: undefined as Set<string> | undefined };
    };
    const given: Awaited<ReturnType<typeof giveTo>>[] = [];

    /**
     * The show's promoter opens the link of their latest mail about it and submits the form, as the
     * browser posts it; an answer other than the 303 of a saved advance (a 5xx, a lost connection) is
     * tried again from the link, as a person would, up to 30 times.
     */
    const submit = async (i: number) => {
      const stint = stints[i].at(-1)!;
      const at = (await client.now()).getTime();
      const link = (await mails())
        .filter((mail) => mail.destination.to.includes(stint.email) && about(i)(mail))
        .sort((a, b) => (a.at ?? 0) - (b.at ?? 0))
        .flatMap((mail) => /\/a\/[A-Za-z0-9._-]+/.exec(mail.body?.text ?? '') ?? [])
        .at(-1);
      if (!link) {
        findings.push(`show ${i}: no advance link mailed to ${stint.email}`);
        return;
      }
      let last = '';
      for (let attempt = 1; attempt <= 30; attempt++) {
        try {
          const page = await client.request(link);
          const html = await page.text();
          last = `GET ${page.status}`;
          if (page.status === 200) {
            const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
            const version = /name="show" value="([^"]+)"/.exec(html)?.[1] ?? '';
            const posted = await client.request(link, {
              method: 'POST',
              redirect: 'manual',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: `${filledAdvanceForm(csrf, { power: `Hall ${i} 63 A` })}&show=${version}`,
            });
            await posted.arrayBuffer();
            last = `POST ${posted.status}`;
            if (posted.status === 303) {
              stint.submitted = at;
              return;
            }
            if (posted.status < 500) break;
          } else if (page.status < 500) break;
        } catch (error) {
          last = String(error);
        }
        await pause(100 * Math.min(attempt, 10));
      }
      stint.unsure = true;
      findings.push(`show ${i}: the advance was not acknowledged (last: ${last})`);
    };

    // The requests (28 days before each show), then answers from some, and two shows given to promoter 5.
    await jump(17);
    for (const i of [0, 5, 10, 15, 1, 6]) await submit(i);
    given.push(await giveTo(2, 5), await giveTo(7, 5));
    await client.idle();
    // The first reminders (21 days before), more answers (one from promoter 5), two more shows given,
    // and one given back to the promoter it was taken from (asked again: docs/design.md#tours).
    await jump(24);
    for (const i of [12, 8, 2]) await submit(i);
    given.push(await giveTo(13, 4), await giveTo(18, 5));
    given.push(await giveTo(7, 2));
    await client.idle();

    // The second reminders (14 days before) and the first escalations (10 days before), one mail a
    // step: the cloud is killed once the k-th of them (k drawn from the seed, 1 to 9) is in the store,
    // and started again.
    const stepMails = async () =>
      (await mails()).filter((mail) => /^(Reminder|Advance overdue)/.test(mail.subject)).length;
    const already = await stepMails();
    const k = 1 + Math.floor(9 * shareOf(options.seed));
    let jumped = false;
    const jumping = client.advanceClock(dayAt(31)).then(
      () => {
        jumped = true;
      },
      () => undefined,
    );
    await client.until(async () => jumped || (await stepMails()) - already >= k, options.waitMs ?? 600_000);
    const killedAt = await client.now();
    const firedBeforeKill = await client.firedSinceArmed();
    const storedAtKill = (await stepMails()) - already;
    await cloud.kill();
    await jumping;
    cloud = await start();
    client.cloud = cloud;
    await client.armFaults(options.faults, options.seed + 1);
    await jump(31);
    // Answers after the second reminders, one after its show's escalation; then the last escalations.
    for (const i of [3, 4, 19, 11, 18]) await submit(i);
    await jump(35);
    const { deadLettered, replayed, fired } = await client.settle();

    // What each stint was due: its request, each reminder and the escalation whose moment came while
    // it held the show, before its answers were in (docs/design.md#tours).
    const all = await mails();
    let expected = 0;
    let duplicates = 0;
    let lost = 0;
    let unrecorded = webhooks.filter((w) => w.status < 200 || w.status >= 300).length;
    for (const [i, show] of shows.entries()) {
      const view = await client.json<{
        promoter: { email: string };
        advanceSubmittedAt?: string;
        steps: { step: string; at: string }[];
      }>(`/labels/${label.id}/tours/${tourId}/shows/${show.showId}`);
      const moment = (step: Step) => Date.parse(view.steps.find((s) => s.step === step)?.at ?? '');
      const latest = stints[i].at(-1)!;
      if (view.promoter.email !== latest.email) {
        unrecorded++;
        findings.push(`show ${i}: given to ${latest.email}, but its promoter is ${view.promoter.email}`);
      }
      if (latest.submitted && !view.advanceSubmittedAt) {
        unrecorded++;
        findings.push(`show ${i}: the advance ${latest.email} submitted is not recorded`);
      }
      const due = (stint: Stint, step: Step) =>
        (step === 'advance-request' || stint.from < moment(step)) &&
        moment(step) < Math.min(stint.to ?? Infinity, stint.submitted ?? Infinity);
      const count = (to: string, prefix: string) =>
        all.filter((m) => about(i)(m) && m.destination.to.includes(to) && m.subject.startsWith(prefix))
          .length;
      const tally = (what: string, want: number, got: number, unsure = false) => {
        expected += want;
        if (got < want) lost += want - got;
        if (got > want && !unsure) duplicates += got - want;
        if (got !== want && !(unsure && got > want))
          findings.push(`show ${i}: ${what}: ${got} where ${want} due`);
      };
      for (const email of new Set(stints[i].map((stint) => stint.email))) {
        const mine = stints[i].filter((stint) => stint.email === email);
        const unsure = mine.some((stint) => stint.unsure);
        tally(`requests to ${email}`, mine.length, count(email, 'Advance for '));
        // The two reminders read alike: counted together.
        const reminders = mine.flatMap((stint) =>
          (['advance-reminder-1', 'advance-reminder-2'] as const).filter((step) => due(stint, step)),
        );
        tally(`reminders to ${email}`, reminders.length, count(email, 'Reminder: advance for '), unsure);
      }
      const escalations = stints[i].filter((stint) => due(stint, 'advance-escalation')).length;
      tally(
        'escalations to the tour manager',
        escalations,
        count(tourManager.email, 'Advance overdue: '),
        stints[i].some((stint) => stint.unsure),
      );
    }
    for (const { i, old, before, back } of given) {
      const after = all.filter(
        (m) =>
          about(i)(m) &&
          m.destination.to.includes(old) &&
          !before.has(m.messageId) &&
          (!back || back.has(m.messageId)),
      );
      if (after.length > 0)
        findings.push(
          `show ${i}: mailed to ${old} after it was taken from them: ${after.map((m) => m.subject)}`,
        );
    }
    return {
      scenario: `advance of 20 shows, 5 promoters, 4 shows given to another and 1 back, killed at ${killedAt.toISOString().slice(0, 16)} (${storedAtKill} of that jump's mails in the store) and restarted`,
      seed: options.seed,
      faults: options.faults,
      faultsFired: firedBeforeKill + fired,
      eventsIn: webhooks.length + stints.flat().filter((stint) => stint.submitted).length,
      mailsExpected: expected,
      sent: all.length,
      duplicates,
      lost,
      unrecorded,
      deadLettered,
      replayed,
      findings: findings.slice(0, 12),
    };
  } finally {
    await cloud.stop();
  }
}
