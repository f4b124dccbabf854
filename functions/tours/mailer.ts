import { type Delivery, deliveryIdOf, mailsReached, type NewClaim } from '#shared/db/deliveries.ts';
import type {
  AwaitedAdvance,
  ClaimAwaitingAdvance,
  NotedClaims,
  NotePressAndClaim,
} from '#shared/db/press-notes.ts';
import { escapeHtml } from '#shared/mail/data.ts';
import type { MailDeps, OutgoingMail } from '#shared/mail/ports.ts';
import { type ClaimPage, claimHeld, sendMails } from '#shared/mail/send.ts';
import { staleBefore, sweepStaleClaims } from '#shared/mail/settle.ts';
import { AdvanceNotAwaited, identityOf, PressNotesRefused, type TourMail, type TourMailer } from './ports.ts';

/** An outlet's signed one-click unsubscribe link (campaign mail). */
export type UnsubscribeLink = (claims: {
  outletId: string;
  email: string;
  labelId: string;
}) => Promise<string>;

/**
 * Tour mail through the one mail module (shared/mail): the same claims, send rate and settlement
 * as release mail (docs/design.md#exactly-once-mail). Campaign mail gets its unsubscribe link in
 * its headers (RFC 8058) and in its footer. `budgetMs`: how long one send may take (throttling).
 * `notePressAndClaim`: how a press step's mails (`noted`) are claimed with their notes;
 * `claimAwaitingAdvance`: how an advance step's (`awaiting`) are claimed with the show's check.
 */
export function moduleTourMailer(
  deps: MailDeps,
  unsubscribeLink: UnsubscribeLink,
  budgetMs: number,
  notePressAndClaim: NotePressAndClaim,
  claimAwaitingAdvance: ClaimAwaitingAdvance,
): TourMailer {
  const outgoing = async (mail: TourMail): Promise<OutgoingMail> => {
    const unsubscribeUrl =
      mail.stream === 'campaign' && mail.outletId
        ? await unsubscribeLink({ outletId: mail.outletId, email: mail.to.email, labelId: mail.labelId })
        : undefined;
    return {
      identity: { labelId: mail.labelId, subject: mail.subject, email: mail.to.email, kind: mail.kind },
      stream: mail.stream,
      template: mail.template,
      data: unsubscribeUrl
        ? {
            text: { ...mail.data.text, unsubscribeUrl },
            html: { ...mail.data.html, unsubscribeUrl: escapeHtml(unsubscribeUrl) },
          }
        : mail.data,
      ...(unsubscribeUrl ? { unsubscribeUrl } : {}),
      ...(mail.attachments ? { attachments: mail.attachments } : {}),
      context: mail.context,
      ...(mail.told ? { told: mail.told } : {}),
    };
  };
  const mailer: TourMailer = {
    async send(mails, leftOutSuppressed) {
      if (mails.length === 0) return 0;
      const noting = notedClaims(deps, mails, notePressAndClaim, claimAwaitingAdvance);
      const outcome = await sendMails(
        deps,
        await Promise.all(mails.filter((mail) => !mail.held).map(outgoing)),
        deps.now().getTime() + budgetMs,
        noting.claimMany,
      );
      // Behind an earlier press mail still claimed: held for the sweep, so it cannot reach SES first.
      const held = mails.filter((mail) => mail.held);
      if (held.length && !noting.refused)
        await claimHeld(deps, await Promise.all(held.map(outgoing)), noting.claimMany);
      // As the send found them (one read of the suppression list), as sendBudgetMail does.
      for (const mail of outcome.leftOutSuppressed) await leftOutSuppressed?.(mail);
      // Claims given back unsent: fail, so the event is retried and sends the rest (claims keep the sent ones).
      // Those SES refused while paused are left open, and the stale-claim sweep sends them once it sends
      // again (docs/design.md#send-rate): the step is done with them.
      if (outcome.unfinished) throw new Error(`${outcome.left} tour mail(s) not sent in time`);
      if (noting.refused) throw new PressNotesRefused(noting.refused);
      if (noting.unawaited) throw new AdvanceNotAwaited(noting.unawaited);
      return outcome.sent;
    },
    reached: (mails) => mailsReached(deps.deliveries, staleBefore(deps), mails),
    async claimsOf(mails) {
      const ids = mails.map(deliveryIdOf);
      const found = await deps.deliveries.getMany(ids, { consistent: true });
      return ids.map((id) => {
        const delivery = found.get(id);
        return delivery && { ...(delivery.told ? { told: delivery.told } : {}), spent: !!delivery.spentAt };
      });
    },
    spend: (mails) => deps.deliveries.spend(mails, deps.now().toISOString()),
    sweepStale(subjectType, rebuild, deadline, leftOutSuppressed) {
      // The advance mails written again, by delivery id: each taken over only while its show awaits the
      // advance as the rebuild read it, the check of its claim (docs/design.md#tours).
      const awaiting = new Map<string, AwaitedAdvance>();
      return sweepStaleClaims(
        deps,
        {
          subjectType,
          leftOutSuppressed,
          async rebuild(stale) {
            // A claim held at a change's time is held only while that is less than the stale window ago.
            const boundary = staleBefore(deps);
            const { resend, tell = [], held } = await rebuild(stale, boundary);
            // Before the stale claims close: should this stop, the next sweep writes the same mails.
            // Only press is told (a show's mails are resent or left): no advance mail, so no show's check.
            await mailer.send(tell);
            const mails = new Map<string, OutgoingMail>();
            for (const [id, mail] of resend) {
              if (mail.awaiting) awaiting.set(id, mail.awaiting);
              mails.set(id, await outgoing(mail));
            }
            return {
              mails,
              ...(held && {
                held: held === true || new Map([...held].filter(([, at]) => at > boundary)),
              }),
            };
          },
          // An advance mail keeps nothing it stated (`told`), and is written from no version (`asOf`).
          async reclaim(delivery, at, ...rest) {
            const awaited = awaiting.get(delivery.deliveryId);
            if (!awaited) return deps.deliveries.reclaim(delivery, at, ...rest);
            return (await claimAwaitingAdvance(awaited, delivery, at)).claimed[0];
          },
        },
        deadline,
      );
    },
  };
  return mailer;
}

/**
 * How the claims of `mails` are written: those of a press step's mails (`noted`) with their notes, by
 * the show as the step read it and the country (`notePressAndClaim`), an advance step's (`awaiting`) each
 * with the show's check (`claimAwaitingAdvance`), the others as any claim. `refused`: the show whose notes
 * were refused (it changed since its step read it): no more of its claims are written. `unawaited`: the
 * show whose check refused an advance step's claim (nothing claimed of it).
 */
function notedClaims(
  deps: MailDeps,
  mails: TourMail[],
  notePressAndClaim: NotePressAndClaim,
  claimAwaitingAdvance: ClaimAwaitingAdvance,
) {
  const idOf = (mail: TourMail) => deliveryIdOf(identityOf(mail));
  const noted = new Map(mails.flatMap((mail) => (mail.noted ? [[idOf(mail), mail.noted] as const] : [])));
  const awaiting = new Map(
    mails.flatMap((mail) => (mail.awaiting ? [[idOf(mail), mail.awaiting] as const] : [])),
  );
  const state: { refused?: string; unawaited?: string; claimMany?: ClaimPage } = {};
  if (noted.size + awaiting.size === 0) return state;
  state.claimMany = async (claims, at) => {
    const pages = new Map<string, NotedClaims>();
    const plain: NewClaim[] = [];
    const claimed: Delivery[] = [];
    for (const claim of claims) {
      const awaited = awaiting.get(deliveryIdOf(claim));
      if (awaited) {
        const written = await claimAwaitingAdvance(awaited, [claim], at);
        claimed.push(...written.claimed);
        if (written.refused) state.unawaited = awaited.showId;
        continue;
      }
      const note = noted.get(deliveryIdOf(claim));
      if (!note) {
        plain.push(claim);
        continue;
      }
      const { asRead, country, told } = note;
      const key = JSON.stringify([asRead, country]);
      const page = pages.get(key) ?? { asRead, country, claims: [] };
      page.claims.push({ claim, ...(told ? { told } : {}) });
      pages.set(key, page);
    }
    if (plain.length) claimed.push(...(await deps.deliveries.claimMany(plain, at)));
    for (const page of pages.values()) {
      if (state.refused) break;
      const written = await notePressAndClaim(page, at);
      claimed.push(...written.claimed);
      if (written.refused) state.refused = page.asRead.showId;
    }
    return claimed;
  };
  return state;
}
