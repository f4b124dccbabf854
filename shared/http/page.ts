/**
 * Server-rendered pages people open (see docs/design.md#signed-pages: unsubscribe, promo, the promoter's advance form, the tour
 * manager's page): one small template helper that escapes by default, one inline stylesheet,
 * readable on a phone, no front-end build step. Escaping is markup.ts's.
 */
import { escapeHtml, type Markup } from './markup.ts';

// A word longer than the line (a pasted link, a name without spaces) wraps: it would widen the whole page on a phone.
// A value keeps its line breaks (a promoter's answer of several lines): HTML shows a bare one as a space.
const style = [
  'body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a;overflow-wrap:anywhere}',
  'h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.5rem}',
  'label{display:block;margin-top:.75rem;font-weight:600}',
  'input,textarea,select{display:block;width:100%;box-sizing:border-box;font-size:1rem;padding:.5rem;margin-top:.25rem}',
  'button{font-size:1rem;padding:.6rem 1.2rem;margin-top:1rem}',
  'dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0;white-space:pre-line}',
  '.note{background:#f3f3f3;padding:.5rem 1rem;border-radius:.25rem}.error{background:#fde8e8;padding:.5rem 1rem;border-radius:.25rem}',
].join('');

/** A reason written to follow other words (`this link has expired`) as a sentence of its own on a page. */
export const sentence = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

export const page = (title: string, body: Markup): string => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${style}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${body.text}
</body>
</html>
`;
