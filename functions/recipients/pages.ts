import { formatInstant } from '#shared/mail/data.ts';

/** The small HTML pages a mail recipient sees. Everything interpolated is escaped. */

const escapeHtml = (value: string): string =>
  value.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string,
  );

const page = (title: string, body: string): string => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5}button{font-size:1rem;padding:.5rem 1rem}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;

/** The button posts to this same URL (empty action), so the page works behind any path prefix. */
export const confirmUnsubscribePage = (view: {
  outletName?: string;
  alreadyUnsubscribed: boolean;
}): string =>
  view.alreadyUnsubscribed
    ? page('You are unsubscribed', '<p>You will receive no more release mail from us.</p>')
    : page(
        'Unsubscribe from release mail',
        `<p>${view.outletName ? `Stop sending release announcements to <strong>${escapeHtml(view.outletName)}</strong>?` : 'Stop sending release announcements to this address?'}</p>
<form method="post" action=""><input type="hidden" name="via" value="page"><button type="submit">Unsubscribe</button></form>`,
      );

export const unsubscribedPage = (): string =>
  page(
    'You are unsubscribed',
    '<p>You will receive no more release mail from us. Thank you for letting us know.</p>',
  );

export const invalidLinkPage = (message: string): string =>
  page(
    'This link does not work',
    `<p>${escapeHtml(message)}. Please use the link from the mail exactly as it was sent.</p>`,
  );

export const promoGonePage = (reason: 'expired' | 'used-up'): string =>
  page(
    'This promo link is no longer available',
    reason === 'expired'
      ? '<p>The link has expired. Please ask the label for a new one.</p>'
      : '<p>The link has been opened as many times as it allows. Please ask the label for a new one.</p>',
  );

/** Before the release's promo may be opened: when it can, in the release's time zone. */
export const promoNotYetPage = (availableFrom: string, timeZone: string): string =>
  page(
    'This promo is not available yet',
    `<p>The promo is available from <strong>${escapeHtml(formatInstant(availableFrom, timeZone))}</strong>. Please open this link again then.</p>`,
  );
