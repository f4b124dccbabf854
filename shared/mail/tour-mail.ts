import { escapeHtml, singleLine } from './data.ts';
import type { MailTemplate } from './templates.ts';

/**
 * The tour mails (advance requests, reminders, escalations, day sheets, guest lists, press), defined
 * once (docs/design.md#mail-templates). Every tour mail is a sheet: a greeting, an intro, sections of
 * labelled rows and an optional link. As for release mail, the data holds each value twice: `text`
 * (single-line, for the subject and the text part) and `html` (escaped, since SES does not escape).
 */
export interface SheetView {
  subject: string;
  greeting: string;
  intro: string;
  sections: { title: string; rows: { label: string; value: string }[] }[];
  link?: string;
  linkLabel?: string;
  /** Campaign mail only: the one-click unsubscribe link. */
  unsubscribeUrl?: string;
}

export const tourTemplateNames = {
  operational: 'backline-tour-operational',
  press: 'backline-tour-press',
} as const;

const mapView = (view: SheetView, value: (text: string) => string): SheetView => ({
  subject: value(view.subject),
  greeting: value(view.greeting),
  intro: value(view.intro),
  sections: view.sections.map((section) => ({
    title: value(section.title),
    rows: section.rows.map((row) => ({ label: value(row.label), value: value(row.value) })),
  })),
  ...(view.link ? { link: value(view.link), linkLabel: value(view.linkLabel ?? view.link) } : {}),
  ...(view.unsubscribeUrl ? { unsubscribeUrl: value(view.unsubscribeUrl) } : {}),
});

export function sheetData(view: SheetView): { text: SheetView; html: SheetView } {
  const text = mapView(view, singleLine);
  return { text, html: mapView(text, escapeHtml) };
}

const htmlSheet = (footer: string) =>
  [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"></head>',
    '<body style="font-family: Helvetica, Arial, sans-serif; line-height: 1.5; color: #1a1a1a">',
    '<p>{{html.greeting}}</p>',
    '<p>{{html.intro}}</p>',
    '{{#if html.link}}<p><a href="{{html.link}}">{{html.linkLabel}}</a></p>{{/if}}',
    '{{#each html.sections}}<h2 style="font-size: 16px">{{title}}</h2>',
    '<table cellpadding="4">{{#each rows}}<tr><th align="left" valign="top">{{label}}</th><td>{{value}}</td></tr>{{/each}}</table>{{/each}}',
    footer,
    '</body></html>',
  ].join('\n');

const textSheet = (footer: string) =>
  [
    '{{text.greeting}}',
    '',
    '{{text.intro}}',
    '{{#if text.link}}',
    '{{text.linkLabel}}: {{text.link}}{{/if}}',
    '{{#each text.sections}}',
    '== {{title}} ==',
    '{{#each rows}}{{label}}: {{value}}',
    '{{/each}}{{/each}}',
    footer,
  ].join('\n');

export const tourTemplates: MailTemplate[] = [
  {
    name: tourTemplateNames.operational,
    stream: 'operational',
    subject: '{{text.subject}}',
    html: htmlSheet(
      '<p style="font-size: 12px; color: #666">Sent by Backline for the production manager.</p>',
    ),
    text: textSheet('--\nSent by Backline for the production manager.'),
  },
  {
    name: tourTemplateNames.press,
    stream: 'campaign',
    subject: '{{text.subject}}',
    html: htmlSheet(
      '<p style="font-size: 12px; color: #666">You receive this because you are in our media list. <a href="{{html.unsubscribeUrl}}">Unsubscribe</a> with one click.</p>',
    ),
    text: textSheet(
      '--\nYou receive this because you are in our media list.\nUnsubscribe: {{text.unsubscribeUrl}}',
    ),
  },
];
