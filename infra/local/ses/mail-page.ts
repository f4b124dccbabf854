import { markup } from '#shared/http/markup.ts';
import { page } from '#shared/http/page.ts';
import type { StoredEmail } from './emulator.ts';

/**
 * One sent mail as a page (`GET /mail?messageId=`, what the console links to): its addresses and
 * subject, the text body as it reads, and the HTML body in a sandboxed frame (no script, no request
 * made in the page's name). The emulator's own viewer lists every mail and downloads one as `.eml`.
 */
export function mailPage(email: StoredEmail): string {
  const { destination, body } = email;
  const field = (name: string, value: string) => (value ? markup`<dt>${name}</dt><dd>${value}</dd>` : '');
  return page(
    email.subject,
    markup`<dl>${field('From', email.from)}${field('To', destination.to.join(', '))}${field('Cc', destination.cc.join(', '))}${field('Bcc', destination.bcc.join(', '))}${field('Sent', new Date(email.at * 1000).toISOString())}${field('Message id', email.messageId)}</dl>
${body.text === undefined ? '' : markup`<h2>Text</h2><pre style="white-space:pre-wrap">${body.text}</pre>`}
${body.html === undefined ? '' : markup`<h2>HTML</h2><iframe title="The HTML body" sandbox srcdoc="${body.html}" style="width:100%;height:32rem;border:1px solid #ccc"></iframe>`}
${email.attachments.length ? markup`<h2>Attachments</h2><ul>${email.attachments.map((a) => markup`<li>${a.filename ?? 'unnamed'} (${a.contentType}, ${a.size} bytes)</li>`)}</ul>` : ''}
<p><a href="/">All sent mail</a></p>`,
  );
}
