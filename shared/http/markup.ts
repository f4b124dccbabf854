/**
 * Server-rendered HTML that escapes by default: every value interpolated in `markup\`...\`` is
 * escaped unless it is itself Markup (built by `markup` or, for trusted text, `trusted`). Arrays
 * are joined, and `undefined`, `null` and `false` render as nothing.
 */
export class Markup {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

/**
 * Bidi overrides, embeddings and isolates (U+202A-U+202E, U+2066-U+2069): one a value leaves open
 * reorders what follows it (U+202E shows the rest of a subject, or of a guest's list item, right to
 * left), so text from outside is shown without them, on pages and in mail (docs/design.md#signed-pages);
 * right-to-left names need none, the marks (U+200E, U+200F) stay.
 */
export const withoutBidiControls = (value: string): string =>
  value.replace(/[\u202a-\u202e\u2066-\u2069]/g, '');

/** Text as HTML shows it: escaped, and without bidi controls (`withoutBidiControls`). */
export const escapeHtml = (value: string): string =>
  withoutBidiControls(value).replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string,
  );

type Value = Markup | string | number | boolean | null | undefined | Value[];

const render = (value: Value): string => {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
};

export const markup = (strings: TemplateStringsArray, ...values: Value[]): Markup =>
  new Markup(
    strings.reduce((out, string, i) => out + string + (i < values.length ? render(values[i]) : ''), ''),
  );

/** Text the code itself wrote (a stylesheet, a script): never anything a person or a label sent. */
export const trusted = (text: string): Markup => new Markup(text);
