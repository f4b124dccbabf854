/**
 * A mail's text part, the one shape of every template's (templates.ts, budget-templates.ts): a greeting
 * (`name` is the field that holds whom it greets), the heading, the body, and its footer below `--`.
 */
export const plainPage = (name: string, heading: string, body: string, footer: string[]): string =>
  [
    `{{#if text.${name}}}Hello {{text.${name}}},{{else}}Hello,{{/if}}`,
    '',
    heading,
    '',
    body,
    '',
    '--',
    ...footer,
  ].join('\n');
