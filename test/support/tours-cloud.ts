import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import type { Browser, Page } from 'playwright-core';
import { Temporal } from 'temporal-polyfill';
import { showStepScheduleName } from '#functions/tours/adapters.ts';
import type { ShowStep } from '#shared/events/show-step-due.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import { pressGatherSeconds } from '#shared/tours.ts';
import { aLabel, sendWebhook } from './announcing.ts';
import {
  advanceClock,
  api,
  busIdle,
  clockNow,
  cloud,
  type SentMail,
  sdkConfig,
  sentMail,
  uniqueId,
  waitFor,
} from './cloud.ts';
import { advanceFormAnswers, filledAdvanceForm } from './tours.ts';

/** Integration helpers for tours, against the test run's local cloud. */

export { aLabel, sendWebhook };

/** `days` after `date` (ISO dates). */
export const plusDays = (date: string, days: number) =>
  Temporal.PlainDate.from(date).add({ days }).toString();

/** The date of the first DST change in `timeZone` at least `afterDays` after the cloud's clock. */
export async function nextDstChange(timeZone: string, afterDays: number): Promise<string> {
  const now = await clockNow();
  const from = Temporal.Instant.fromEpochMilliseconds(
    now.getTime() + afterDays * 86_400_000,
  ).toZonedDateTimeISO(timeZone);
  const transition = from.getTimeZoneTransition('next');
  if (!transition) throw new Error(`${timeZone} has no DST change ahead`);
  return transition.toPlainDate().toString();
}

export const aVenue = (city: string, country: string, timeZone: string) => ({
  name: `${city} Hall`,
  address: `1 Main Street`,
  city,
  country,
  timeZone,
  capacity: 1200,
});

export const aPromoter = (name: string) => ({
  name,
  email: `${uniqueId(name.toLowerCase())}@promoter.example`,
});

export const aTourShow = (overrides: Partial<Show> & Pick<Show, 'date' | 'venue' | 'promoter'>): Show => ({
  showId: uniqueId('show'),
  times: { loadIn: '14:00', soundcheck: '16:30', doors: '19:00', set: '21:00', curfew: '23:00' },
  status: 'confirmed',
  ...overrides,
});

/**
 * A tour of a new label, as the press tests open: its genre (outlets made with it match this tour
 * alone in the shared directory), its id, the cloud's clock, a promoter and a tour manager. `aShow`:
 * an announced show of the promoter at `venue`, `days` after the clock's day; `book`: the tour booked
 * (tour.booked) with `shows`.
 */
export async function aPressTour(artist: string, promoterName: string) {
  const label = await aLabel();
  const now = await clockNow();
  const today = now.toISOString().slice(0, 10);
  const genre = uniqueId('genre');
  const tourId = uniqueId('tour');
  const promoter = aPromoter(promoterName);
  const tourManager = { name: 'Tam', email: `${uniqueId('tm')}@tm.example` };
  return {
    label,
    now,
    genre,
    tourId,
    promoter,
    tourManager,
    aShow: (days: number, venue: Show['venue'], overrides: Partial<Show> = {}) =>
      aTourShow({ date: plusDays(today, days), venue, promoter, status: 'announced', ...overrides }),
    book: (shows: Show[]) =>
      tourWebhook(label, 'tour.booked', {
        tourId,
        artist: { name: artist },
        genres: [genre],
        tourManager,
        shows,
      }),
  };
}

/**
 * Lets the press gathering window pass (press past its embargo, or without one, waits for it): once
 * the cloud is idle (the schedules are in place), its clock moves on by the window and a minute.
 */
export async function afterPressWindow() {
  await busIdle();
  const now = await clockNow();
  await advanceClock(new Date(now.getTime() + (pressGatherSeconds + 60) * 1000).toISOString());
}

export async function tourWebhook(
  label: { id: string; secret: string },
  type: string,
  data: unknown,
  minutesAfter = 0,
) {
  const timestamp = new Date((await clockNow()).getTime() + minutesAfter * 60_000).toISOString();
  const sent = await sendWebhook(label, { type, timestamp, data });
  if (sent.status !== 202) throw new Error(`${type} answered ${sent.status}`);
  return { ...sent, timestamp };
}

/**
 * Lowlight's tour of one show at Paris Hall for `promoter`, booked 20 days out: the advance request is
 * overdue and goes at once, the first notice sent.
 */
export async function bookedInParis(
  label: Awaited<ReturnType<typeof aLabel>>,
  tourId: string,
  tourManager: { name: string; email: string },
  promoter: { name: string; email: string },
) {
  const today = (await clockNow()).toISOString().slice(0, 10);
  const show = aTourShow({
    date: plusDays(today, 20),
    venue: aVenue('Paris', 'FR', 'Europe/Paris'),
    promoter,
  });
  await tourWebhook(label, 'tour.booked', {
    tourId,
    artist: { name: 'Lowlight' },
    tourManager,
    shows: [show],
  });
  return show;
}

export async function tourView(labelId: string, tourId: string) {
  const response = await api(`/labels/${labelId}/tours/${tourId}`);
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown> & {
      shows: Record<string, unknown>[];
      tourManagerPage: string;
    },
  };
}

export async function showView(labelId: string, tourId: string, showId: string) {
  const response = await api(`/labels/${labelId}/tours/${tourId}/shows/${showId}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function showStepSchedule(
  ref: { labelId: string; tourId: string; showId: string },
  step: ShowStep,
) {
  const client = new SchedulerClient(sdkConfig('scheduler'));
  try {
    return await client.send(
      new GetScheduleCommand({
        Name: showStepScheduleName({ ...ref, step }),
        GroupName: cloud().env.SCHEDULE_GROUP,
      }),
    );
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  } finally {
    client.destroy();
  }
}

/** Mail to `email` whose subject contains `part`. */
export const mailsTo = async (email: string, part = ''): Promise<SentMail[]> =>
  (await sentMail()).filter((mail) => mail.destination.to.includes(email) && mail.subject.includes(part));

/** Press goes to every matching outlet of the shared directory (other tests' too), within the send rate: it may take a while. */
export const waitForMailTo = (email: string, part: string, count = 1, timeoutMs = 120_000) =>
  waitFor(
    async () => {
      const mails = await mailsTo(email, part);
      return mails.length >= count ? mails : undefined;
    },
    { timeoutMs, what: `${count} mail(s) "${part}" to ${email}` },
  );

/** The `/a/...` or `/tm/...` link in a mail's text. */
export const linkIn = (mail: SentMail, path: 'a' | 'tm'): string => {
  const match = new RegExp(`https?://\\S+/${path}/[A-Za-z0-9._-]+`).exec(mail.body.text ?? '');
  if (!match) throw new Error(`no /${path}/ link in "${mail.subject}"`);
  return match[0];
};

/**
 * A tour of one show at `venue`, three days out (so its advance request is overdue and goes at once),
 * booked by a new label; answers the show and the link in the promoter's advance request.
 */
export async function anAdvanceLink(venue: ReturnType<typeof aVenue>, artist: string, promoterName: string) {
  const label = await aLabel();
  const tourId = uniqueId('tour');
  const promoter = aPromoter(promoterName);
  const today = (await clockNow()).toISOString().slice(0, 10);
  const show = aTourShow({ date: plusDays(today, 3), venue, promoter });
  await tourWebhook(label, 'tour.booked', {
    tourId,
    artist: { name: artist },
    tourManager: { name: 'Tam', email: `${uniqueId('tm')}@tm.example` },
    shows: [show],
  });
  const link = linkIn((await waitForMailTo(promoter.email, `Advance for ${artist}`))[0], 'a');
  return { label, tourId, show, link };
}

/**
 * anAdvanceLink's tour (`venue`, `artist`, `promoterName`), its tour manager's page open in `browser` on a
 * phone's screen with a guest typed into the show's form, not yet submitted: Robin <Roe>, two plus-ones.
 * Answers the show and the page.
 */
export async function aGuestTypedOnTheTourManagersPage(
  browser: Browser,
  venue: ReturnType<typeof aVenue>,
  artist: string,
  promoterName: string,
) {
  const { label, tourId, show } = await anAdvanceLink(venue, artist, promoterName);
  await busIdle();
  const link = (await tourView(label.id, tourId)).body.tourManagerPage as string;
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(link);
  await page.fill(`#name-${show.showId}`, 'Robin <Roe>');
  await page.fill(`#plus-${show.showId}`, '2');
  return { show, page };
}

/** Types the promoter's answers into the advance form open in `page`, field by field: advanceFormAnswers with `overrides`. */
export async function fillAdvanceForm(page: Page, overrides: Record<string, string> = {}) {
  for (const [field, value] of Object.entries({ ...advanceFormAnswers, ...overrides }))
    await page.fill(`#${field}`, value);
}

/** The promoter's advance posted as the form posts it, from the form as it opens now; answers the status. */
export async function postAdvance(link: string, overrides: Record<string, string>) {
  const form = await (await fetch(link)).text();
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(form)?.[1] ?? '';
  const body = filledAdvanceForm(field('csrf'), { show: field('show'), ...overrides });
  const posted = await fetch(link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
    redirect: 'manual',
  });
  return posted.status;
}
