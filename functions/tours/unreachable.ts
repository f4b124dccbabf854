import { promoterIdOf } from '#shared/db/tours.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import { isAdvancing, type StoredShow, showOverAt } from '#shared/tours.ts';
import type { ToursDeps } from './ports.ts';
import { unreachableSheet } from './sheets.ts';
import { operationalMail, sendOperational } from './steps.ts';

/**
 * A promoter's address was suppressed (a hard bounce or a complaint, on any mail): from now on it
 * gets nothing, operational mail included, so the tour manager of each show it promotes that is
 * still ahead is told at once, once per show (docs/design.md#two-mail-streams).
 */
export async function alertPromoterUnreachable(
  suppressed: { email: string; reason: 'bounce' | 'complaint' },
  deps: ToursDeps,
): Promise<{ alerted: number }> {
  const now = deps.now().toISOString();
  const shows = (await deps.tours.showsOfPromoter(promoterIdOf(suppressed.email))).filter(
    (s): s is StoredShow & { show: Show } =>
      Boolean(s.show) && isAdvancing(s.show!.status) && now < showOverAt(s.show!),
  );
  const why = suppressed.reason === 'bounce' ? 'the address bounced' : 'the recipient complained';
  const mails = [];
  for (const stored of shows) {
    const tour = await deps.tours.getTour(stored.labelId, stored.tourId);
    if (!tour) continue;
    const ref = { labelId: stored.labelId, tourId: stored.tourId, showId: stored.showId };
    mails.push(
      operationalMail(
        ref,
        tour.tourManager,
        'promoter-unreachable',
        unreachableSheet(tour, stored.show, why),
      ),
    );
  }
  return { alerted: await sendOperational(mails, deps) };
}
