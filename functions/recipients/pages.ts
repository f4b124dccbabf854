import { markup } from '#shared/http/markup.ts';
import { page, sentence } from '#shared/http/page.ts';
import { formatInstant } from '#shared/mail/data.ts';
import type { PromoAssetKind } from '#shared/tokens.ts';

/** The small HTML pages a mail recipient sees. Everything interpolated is escaped. */

/**
 * What an unsubscribe stops: every campaign mail to the address, a release's and a tour's
 * (docs/design.md#two-mail-streams), whichever label it comes from, so the pages name both.
 */
const releaseMail = markup`release announcements (with their date changes, cancellations and radio servicing)`;
const tourMail = 'news of tours and shows';

const unsubscribed = markup`<p>You will receive no more press mail from us: no ${releaseMail} and no ${tourMail}. Promo links already sent to you keep working.</p>`;

/** The button posts to this same URL (empty action), so the page works behind any path prefix. */
export const confirmUnsubscribePage = (view: {
  outletName?: string;
  alreadyUnsubscribed: boolean;
}): string =>
  view.alreadyUnsubscribed
    ? page('You are unsubscribed', unsubscribed)
    : page(
        'Unsubscribe from press mail',
        markup`<p>${view.outletName ? markup`Stop sending press mail to <strong>${view.outletName}</strong>?` : 'Stop sending press mail to this address?'} That is ${releaseMail} and ${tourMail}.</p>
<form method="post" action=""><input type="hidden" name="via" value="page"><button type="submit">Unsubscribe</button></form>`,
      );

export const unsubscribedPage = (): string =>
  page('You are unsubscribed', markup`${unsubscribed}<p>Thank you for letting us know.</p>`);

export const invalidLinkPage = (message: string): string =>
  page(
    'This link does not work',
    markup`<p>${sentence(message)}. Please use the link from the mail exactly as it was sent.</p>`,
  );

/**
 * DynamoDB busy (docs/design.md#failures-and-retries): a post saved nothing, a page (`opening`) could not
 * be opened; either may be tried again in a moment.
 */
export const busyPage = (opening = false): string =>
  page(
    'Busy for a moment',
    markup`<p>${opening ? 'This page could not be opened just now.' : 'Nothing was saved.'} Please try again in a moment: the link still works.</p>`,
  );

const goneBecause = {
  expired: markup`<p>The link has expired. Please ask the label for a new one.</p>`,
  'used-up': markup`<p>The link has been opened as many times as it allows. Please ask the label for a new one.</p>`,
  withdrawn: markup`<p>The release has been withdrawn where you are, or cancelled, so its promo is no longer available.</p>`,
};

export const promoGonePage = (reason: keyof typeof goneBecause): string =>
  page('This promo link is no longer available', goneBecause[reason]);

/** Before the release's promo may be opened: when it can, in the release's time zone. */
export const promoNotYetPage = (availableFrom: string, timeZone: string): string =>
  page(
    'This promo is not available yet',
    markup`<p>The promo is available from <strong>${formatInstant(availableFrom, timeZone)}</strong>. Please open this link again then.</p>`,
  );

const promoButtons: Record<PromoAssetKind, string> = {
  stream: 'Listen to the stream',
  download: 'Download',
  artwork: 'Open the artwork',
  epk: 'Open the press kit',
  'radio-edit': 'Download the radio edit',
  clean: 'Download the clean version',
};

/**
 * A promo link's page: its button posts to this same URL (empty action), which counts the open and
 * sends the browser on to the asset. A plain form, so it works without script, and a POST, which the
 * link scanners that fetch a mail's links never send (docs/design.md#embargoes).
 */
export const promoOpenPage = (view: {
  assetKind: PromoAssetKind;
  release?: { title: string; artists: string };
}): string =>
  page(
    view.release ? `${view.release.artists}: ${view.release.title}` : 'Your promo link',
    markup`<p>Your personal promo link from the label.</p>
<form method="post" action=""><button type="submit">${promoButtons[view.assetKind]}</button></form>`,
  );
