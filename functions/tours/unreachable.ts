import { promoterIdOf, showRefOf } from '#shared/db/tours.ts';
import type { EventData, MailUndeliverable } from '#shared/events/index.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import { isAdvancing, type StoredShow, showOverAt } from '#shared/tours.ts';
import { isoNow, type ToursDeps } from './ports.ts';
import { unreachableAlert } from './steps.ts';

type LiveShow = StoredShow & { show: Show };

const reasons = { bounce: 'the address bounced', complaint: 'the recipient complained' } as const;

/**
 * An operational mail about a show bounced or drew a complaint (Mail Undeliverable, once per mail).
 * When it went to the show's promoter, the address now gets nothing, so the tour manager of that
 * show, and of every other show the promoter still has ahead, is told at once: once per show and
 * promoter, by the alert's identity (docs/design.md#two-mail-streams). A mail to the tour manager or the crew
 * that bounced tells nobody (there is no one else to tell).
 */
export async function alertPromoterUnreachable(
  undeliverable: EventData<typeof MailUndeliverable>,
  deps: ToursDeps,
): Promise<{ alerted: number }> {
  const { tourId, showId } = undeliverable.context;
  if (undeliverable.subject[0] !== 'show' || !tourId || !showId) return { alerted: 0 };
  const bounced = await deps.tours.getShow({ labelId: undeliverable.labelId, tourId, showId });
  const promoterId = promoterIdOf(undeliverable.address);
  if (bounced?.promoterId !== promoterId) return { alerted: 0 };
  const now = isoNow(deps);
  const ahead = (await deps.tours.showsOfPromoter(promoterId)).filter(
    (s): s is LiveShow => Boolean(s.show) && isAdvancing(s.show!.status) && now < showOverAt(s.show!),
  );
  const mails = [];
  for (const stored of ahead) {
    const tour = await deps.tours.getTour(stored.labelId, stored.tourId);
    if (!tour) continue;
    mails.push(unreachableAlert(showRefOf(stored), tour, stored, reasons[undeliverable.reason]));
  }
  return { alerted: await deps.mailer.send(mails) };
}
