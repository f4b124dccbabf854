import type { Delivery } from '#shared/db/deliveries.ts';
import type { ShowStep } from '#shared/events/show-step-due.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import type { StoredShow } from '#shared/tours.ts';
import type { TourMail, ToursDeps } from './ports.ts';
import { type PressKind, pressMail, tellThoseToldOf } from './press.ts';
import { unreachableSheet } from './sheets.ts';
import { daySheetWork, operationalMail, stepWork } from './steps.ts';

type LiveShow = StoredShow & { show: Show };

const stepKinds: ReadonlySet<string> = new Set<ShowStep>([
  'advance-request',
  'advance-reminder-1',
  'advance-reminder-2',
  'advance-escalation',
  'day-sheet',
  'guest-list-cutoff',
]);

/** A show's operational mail, written again from the show as it is now (none once it is cancelled). */
async function rebuildShowMails(stale: Delivery[], deps: ToursDeps): Promise<TourMail[]> {
  const { labelId, subject, kind } = stale[0];
  const [, tourId, showId] = subject;
  const ref = { labelId, tourId, showId };
  const [tour, stored] = await Promise.all([deps.tours.getTour(labelId, tourId), deps.tours.getShow(ref)]);
  if (!tour || !stored?.show || stored.show.status === 'cancelled') return [];
  const show = stored as LiveShow;
  if (kind === 'promoter-unreachable')
    return [
      operationalMail(
        ref,
        tour.tourManager,
        kind,
        unreachableSheet(tour, show.show, 'it bounced or complained'),
      ),
    ];
  const meta = { correlationId: `resend-${stale[0].deliveryId}`, labelId };
  const change = stale[0].context?.change;
  // The sweep closes those to an address suppressed since (shared/mail/settle.ts).
  if (kind === 'day-sheet-update')
    return change ? (await daySheetWork(tour, show, deps, meta, change)).mails : [];
  return stepKinds.has(kind)
    ? (await stepWork(kind as Parameters<typeof stepWork>[0], tour, show, deps, meta)).mails
    : [];
}

/**
 * Press mail, written again from what its delivery says it told of (its shows as they are now). A
 * change, a cancellation or "on again" is written as its step would write it now, and sent again
 * only if that is the same mail: what it says still stands and the address, told what reached it,
 * still needs it; otherwise it is closed unsent (docs/design.md#tours).
 */
async function rebuildPressMails(stale: Delivery[], deps: ToursDeps): Promise<TourMail[]> {
  const { labelId, kind, subject } = stale[0];
  const { tour, shows } = await deps.tours.tourWithShows(labelId, subject[1]);
  if (!tour) return [];
  const byId = new Map(shows.flatMap((s) => (s.show ? [[s.showId, s as LiveShow] as const] : [])));
  const { news, country, change } = stale[0].context;
  const stated = byId.get(news ?? '');
  // A change, a cancellation or "on again" (a mail that names its change).
  if (change)
    return stated
      ? (
          await tellThoseToldOf(
            tour,
            stated,
            stated.show.status === 'cancelled' ? 'cancellation' : 'change',
            deps,
            country,
            undefined,
            new Set(stale.map((delivery) => delivery.email)),
          )
        ).filter((mail) => `${mail.subject}` === `${subject}`)
      : [];
  const showsOf = (ids: string | undefined) => (ids ?? '').split(',').flatMap((id) => byId.get(id) ?? []);
  const optedOut = await deps.suppressions.optedOutAmong(stale.map((delivery) => delivery.email));
  const mails: TourMail[] = [];
  for (const delivery of stale) {
    const { country, outletId, news, listed, toldSince } = delivery.context;
    if (!country || !outletId || optedOut.has(delivery.email)) continue;
    const pressKind = kind.replace(/^press-/, '') as PressKind;
    mails.push(
      pressMail(
        tour,
        { id: outletId, name: delivery.email, email: delivery.email },
        country,
        pressKind,
        showsOf(news),
        showsOf(listed),
        toldSince,
      ),
    );
  }
  return mails;
}

/** Tours' share of the stale-claim sweep (Outbox Sweep Due): show mail and press. */
export async function sweepStaleTourMail(deps: ToursDeps, deadline: number) {
  const show = await deps.mailer.sweepStale('show', (stale) => rebuildShowMails(stale, deps), deadline);
  const press = await deps.mailer.sweepStale(
    'tour-shows',
    (stale) => rebuildPressMails(stale, deps),
    deadline,
  );
  return { resent: show.resent + press.resent, closed: show.closed + press.closed };
}
