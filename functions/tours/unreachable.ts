import { promoterIdOf, showRefOf } from '#shared/db/tours.ts';
import type { EventData, MailUndeliverable } from '#shared/events/index.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import { isAdvancing, type StoredShow, showOverAt } from '#shared/tours.ts';
import { isoNow, type ToursDeps } from './ports.ts';
import { unreachableAlert } from './steps.ts';

type LiveShow = StoredShow & { show: Show };

const reasons = {
  bounce: 'the address bounced',
  complaint: 'the recipient complained',
  refused: 'SES refused the mail for good',
} as const;

/**
 * An operational mail about a show bounced, drew a complaint or was refused by SES for good (Mail
 * Undeliverable, once per mail).
 * When it went to a promoter, the promoter was not reached (and a bounced or complained address gets
 * nothing more), so the tour manager of every show that
 * promoter still has ahead is told at once: once per show and promoter, by the alert's identity
 * (docs/design.md#two-mail-streams). Also when the show the mail was about was given to another
 * promoter before the bounce came (SES reports one after its retries, hours later): the promoter's
 * other shows still are theirs, the show they left is not. A mail to the tour manager or the crew
 * that bounced tells nobody (there is no one else to tell).
 */
export async function alertPromoterUnreachable(
  undeliverable: EventData<typeof MailUndeliverable>,
  deps: ToursDeps,
): Promise<{ alerted: number }> {
  const { tourId, showId } = undeliverable.context;
  if (undeliverable.subject[0] !== 'show' || !tourId || !showId) return { alerted: 0 };
  const promoterId = promoterIdOf(undeliverable.address);
  const now = isoNow(deps);
  const ahead = (await deps.tours.showsOfPromoter(promoterId)).filter(
    (s): s is LiveShow => Boolean(s.show) && isAdvancing(s.show!.status) && now < showOverAt(s.show!),
  );
  // A refusal says what SES said (`MESSAGE_REJECTED: ...`): the address may be wrong rather than gone.
  const why =
    undeliverable.reason === 'refused' && undeliverable.detail
      ? `${reasons.refused} (${undeliverable.detail})`
      : reasons[undeliverable.reason];
  const mails = [];
  for (const stored of ahead) {
    const tour = await deps.tours.getTour(stored.labelId, stored.tourId);
    if (!tour) continue;
    mails.push(unreachableAlert(showRefOf(stored), tour, stored, why));
  }
  return { alerted: await deps.mailer.send(mails) };
}
