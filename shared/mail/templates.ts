import type { MailStream } from '#shared/db/deliveries.ts';
import { budgetTemplates } from './budget-templates.ts';
import { templateNames } from './template-names.ts';
import { plainPage } from './text-page.ts';

export { templateNames };

/**
 * Every mail's template, defined once (docs/design.md#mail-templates): CDK creates them as SES templates on
 * AWS and the local cloud creates them at start-up.
 *
 * SES renders stored templates with Handlebars but does NOT escape HTML (SES developer guide,
 * "Advanced email personalization": "SES doesn't escape HTML content when rendering the HTML
 * template"). So the template data carries two views of every value (see `data.ts`): `html.*`,
 * escaped for HTML, used only in the HTML part, and `text.*`, plain and free of CR/LF, used in the
 * subject and the text part. No template uses triple braces.
 */
export interface MailTemplate {
  name: string;
  /**
   * Campaign templates end with the one-click unsubscribe footer; operational ones carry none
   * (see docs/design.md#two-mail-streams).
   */
  stream: MailStream;
  subject: string;
  html: string;
  text: string;
}

/** A mail's HTML part: a greeting (`name` is the field that holds whom it greets), the heading, the body and a footer. */
const htmlLayout = (name: string, heading: string, body: string, footer: string): string =>
  [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"></head>',
    '<body style="font-family: Helvetica, Arial, sans-serif; line-height: 1.5; color: #1a1a1a">',
    `<p>{{#if html.${name}}}Hello {{html.${name}}},{{else}}Hello,{{/if}}</p>`,
    `<h1 style="font-size: 20px">${heading}</h1>`,
    body,
    `<p style="font-size: 12px; color: #666">${footer}</p>`,
    '</body></html>',
  ].join('\n');

/**
 * A release mail's HTML page: the label it is from on a line under the title, and in the footer the
 * media list the outlet is in, the label's (every label mails from one sender address).
 */
const htmlPage = (heading: string, body: string): string =>
  htmlLayout(
    'contactName',
    heading,
    ['{{#if html.labelName}}<p>From {{html.labelName}}</p>{{/if}}', body].join('\n'),
    'You receive this because {{html.outletName}} is in {{#if html.labelName}}the media list of {{html.labelName}}{{else}}our media list{{/if}}. \n<a href="{{html.unsubscribeUrl}}">Unsubscribe</a> with one click.',
  );

const htmlFacts = [
  '<table cellpadding="4">',
  '<tr><th align="left">Title</th><td>{{html.title}}</td></tr>',
  '<tr><th align="left">Artists</th><td>{{#each html.artists}}{{#if @index}}, {{/if}}{{name}}{{/each}}</td></tr>',
  '<tr><th align="left">Format</th><td>{{html.kind}}</td></tr>',
  '<tr><th align="left">Release date</th><td>{{html.releaseDate}}</td></tr>',
  '<tr><th align="left">Territories</th><td>{{#each html.territories}}{{#if @index}}, {{/if}}{{this}}{{/each}}</td></tr>',
  '{{#if html.upc}}<tr><th align="left">UPC</th><td>{{html.upc}}</td></tr>{{/if}}',
  '{{#if html.tracks.length}}<tr><th align="left">Tracks</th><td><ol style="margin: 0; padding-left: 1.2em">{{#each html.tracks}}<li>{{line}}</li>{{/each}}</ol></td></tr>{{/if}}',
  '</table>',
  '{{#if html.embargo}}<p><strong>Embargo:</strong> please publish nothing before {{html.embargo}}.</p>{{/if}}',
].join('\n');

const htmlPress = '{{#if html.pressText}}<div>{{html.pressText}}</div>{{/if}}';

const htmlPromo = [
  '{{#if html.promoLinks.length}}<p>Your personal promo links (please do not share them):</p>',
  '{{#if html.promoOpens}}<p>They open on {{html.promoOpens}}.</p>{{/if}}',
  '<ul>{{#each html.promoLinks}}<li><a href="{{url}}">{{label}}</a></li>{{/each}}</ul>{{/if}}',
].join('\n');

const textFacts = [
  'Title: {{text.title}}',
  'Artists: {{#each text.artists}}{{#if @index}}, {{/if}}{{name}}{{/each}}',
  'Format: {{text.kind}}',
  'Release date: {{text.releaseDate}}',
  'Territories: {{#each text.territories}}{{#if @index}}, {{/if}}{{this}}{{/each}}',
  '{{#if text.upc}}UPC: {{text.upc}}',
  '{{/if}}{{#if text.tracks.length}}Tracks:{{#each text.tracks}}',
  '{{number}}. {{line}}{{/each}}',
  '{{/if}}{{#if text.embargo}}Embargo: please publish nothing before {{text.embargo}}.{{/if}}',
].join('\n');

const textPromo = [
  '{{#if text.promoLinks.length}}Your personal promo links (please do not share them):',
  '{{#if text.promoOpens}}They open on {{text.promoOpens}}.',
  '{{/if}}{{#each text.promoLinks}}- {{label}}: {{url}}',
  '{{/each}}{{/if}}',
].join('\n');

const textPage = (heading: string, body: string): string =>
  plainPage('contactName', `${heading}{{#if text.labelName}}\n\nFrom {{text.labelName}}{{/if}}`, body, [
    'You receive this because {{text.outletName}} is in {{#if text.labelName}}the media list of {{text.labelName}}{{else}}our media list{{/if}}.',
    'Unsubscribe: {{text.unsubscribeUrl}}',
  ]);

/**
 * The page of an operational mail: no unsubscribe footer, since a press opt-out never silences it
 * (see docs/design.md#two-mail-streams). Greets `html.recipientName` when given.
 */
const operationalHtmlPage = (heading: string, body: string): string =>
  htmlLayout(
    'recipientName',
    heading,
    body,
    'A service message about work we do together, sent whatever your press-list preferences.',
  );

const operationalTextPage = (heading: string, body: string): string =>
  plainPage('recipientName', heading, body, [
    'A service message about work we do together, sent whatever your press-list preferences.',
  ]);

/** The body of a notice (data from `noticeTemplateData`): its lines, its link, its sections of rows. */
const noticeHtmlBody = [
  '{{#each html.lines}}<p>{{this}}</p>{{/each}}',
  '{{#if html.link}}<p><a href="{{html.link.url}}">{{html.link.label}}</a></p>{{/if}}',
  '{{#each html.sections}}<h2 style="font-size: 16px">{{title}}</h2>',
  '<table cellpadding="4">{{#each rows}}<tr><th align="left" valign="top">{{label}}</th><td>{{value}}</td></tr>{{/each}}</table>{{/each}}',
].join('\n');

const noticeTextBody = [
  '{{#each text.lines}}{{this}}',
  '{{/each}}{{#if text.link}}',
  '{{text.link.label}}: {{text.link.url}}',
  '{{/if}}{{#each text.sections}}',
  '== {{title}} ==',
  '{{#each rows}}{{label}}: {{value}}',
  '{{/each}}{{/each}}',
].join('\n');

/** Every operational mail without a layout of its own (tour advancing, alerts) is a notice. */
const noticeTemplate: MailTemplate = {
  name: templateNames.notice,
  stream: 'operational',
  subject: '{{text.subject}}',
  html: operationalHtmlPage('{{html.heading}}', noticeHtmlBody),
  text: operationalTextPage('{{text.heading}}', noticeTextBody),
};

/** A notice to the media list: the same body, the campaign footer with one-click unsubscribe. */
const tourPressTemplate: MailTemplate = {
  name: templateNames['tour-press'],
  stream: 'campaign',
  subject: '{{text.subject}}',
  html: htmlLayout(
    'recipientName',
    '{{html.heading}}',
    noticeHtmlBody,
    'You receive this because you are in our media list. <a href="{{html.unsubscribeUrl}}">Unsubscribe</a> with one click.',
  ),
  text: plainPage('recipientName', '{{text.heading}}', noticeTextBody, [
    'You receive this because you are in our media list.',
    'Unsubscribe: {{text.unsubscribeUrl}}',
  ]),
};

export const releaseTemplates: MailTemplate[] = [
  {
    name: templateNames.announcement,
    stream: 'campaign',
    subject: 'New {{text.kind}}: {{text.title}} by {{text.artistLine}}, out {{text.releaseDateShort}}',
    html: htmlPage('{{html.title}} by {{html.artistLine}}', [htmlFacts, htmlPress, htmlPromo].join('\n')),
    text: textPage(
      '{{text.title}} by {{text.artistLine}}',
      [textFacts, '', '{{text.pressText}}', '', textPromo].join('\n'),
    ),
  },
  {
    name: templateNames['date-change'],
    stream: 'campaign',
    // A change that keeps each day the recipient was told and moves only the time (timeOnly) says so.
    subject:
      '{{#if text.timeOnly}}New time: {{text.title}} by {{text.artistLine}}, still out {{text.releaseDateShort}}{{else}}New date: {{text.title}} by {{text.artistLine}} is now out {{text.releaseDateShort}}{{/if}}',
    html: htmlPage(
      'New release {{#if html.timeOnly}}time{{else}}date{{/if}} for {{html.title}}',
      [
        '<p>The release {{#if html.timeOnly}}time{{else}}date{{/if}} has changed{{#if html.previousReleaseDate}} from {{html.previousReleaseDate}}{{/if}}. It is now <strong>{{html.releaseDate}}</strong>.</p>',
        htmlFacts,
        htmlPromo,
      ].join('\n'),
    ),
    text: textPage(
      'New release {{#if text.timeOnly}}time{{else}}date{{/if}} for {{text.title}}',
      [
        'The release {{#if text.timeOnly}}time{{else}}date{{/if}} has changed{{#if text.previousReleaseDate}} from {{text.previousReleaseDate}}{{/if}}. It is now {{text.releaseDate}}.',
        '',
        textFacts,
        '',
        textPromo,
      ].join('\n'),
    ),
  },
  {
    name: templateNames.cancellation,
    stream: 'campaign',
    // A release cancelled once out where the outlet is (outAlready) is withdrawn from the shops.
    subject:
      '{{#if text.outAlready}}Withdrawn{{else}}Cancelled{{/if}}: {{text.title}} by {{text.artistLine}}',
    html: htmlPage(
      '{{html.title}} is {{#if html.outAlready}}withdrawn{{else}}cancelled{{/if}}',
      [
        '<p>{{#if html.outAlready}}{{html.title}} by {{html.artistLine}}, out since {{html.releaseDate}}, is withdrawn.{{else}}The release of {{html.title}} by {{html.artistLine}}, planned for {{html.releaseDate}}, is cancelled{{#if html.outSince}}, and it is withdrawn where it has been out since {{html.outSince}}{{/if}}.{{/if}} Please disregard our earlier mails about it.</p>',
        '{{#if html.cancellationReason}}<p>{{html.cancellationReason}}</p>{{/if}}',
      ].join('\n'),
    ),
    text: textPage(
      '{{text.title}} is {{#if text.outAlready}}withdrawn{{else}}cancelled{{/if}}',
      [
        '{{#if text.outAlready}}{{text.title}} by {{text.artistLine}}, out since {{text.releaseDate}}, is withdrawn.{{else}}The release of {{text.title}} by {{text.artistLine}}, planned for {{text.releaseDate}}, is cancelled{{#if text.outSince}}, and it is withdrawn where it has been out since {{text.outSince}}{{/if}}.{{/if}} Please disregard our earlier mails about it.',
        '',
        '{{text.cancellationReason}}',
      ].join('\n'),
    ),
  },
  {
    name: templateNames['out-now'],
    stream: 'campaign',
    subject: 'Out now: {{text.title}} by {{text.artistLine}}',
    html: htmlPage(
      '{{html.title}} by {{html.artistLine}} is out now',
      [htmlFacts, htmlPress, htmlPromo].join('\n'),
    ),
    text: textPage(
      '{{text.title}} by {{text.artistLine}} is out now',
      [textFacts, '', '{{text.pressText}}', '', textPromo].join('\n'),
    ),
  },
];

const htmlAddDates = [
  '{{#if html.addDates.length}}<p>Add dates for your station:</p>',
  '<ul>{{#each html.addDates}}<li>{{this}}</li>{{/each}}</ul>{{/if}}',
].join('\n');

const textAddDates = [
  '{{#if text.addDates.length}}Add dates for your station:',
  '{{#each text.addDates}}- {{this}}',
  '{{/each}}{{/if}}',
].join('\n');

/** Radio servicing (see docs/design.md#radio-servicing): campaign mail to radio outlets, instead of the announcement. */
export const radioTemplates: MailTemplate[] = [
  {
    name: templateNames['radio-servicing'],
    stream: 'campaign',
    subject: 'For radio: {{text.title}} by {{text.artistLine}}',
    html: htmlPage(
      '{{html.title}} by {{html.artistLine}}, for radio',
      [
        '<p>We are servicing {{html.title}} to radio from {{html.servicingDate}}.</p>',
        htmlFacts,
        htmlAddDates,
        htmlPress,
        htmlPromo,
      ].join('\n'),
    ),
    text: textPage(
      '{{text.title}} by {{text.artistLine}}, for radio',
      [
        'We are servicing {{text.title}} to radio from {{text.servicingDate}}.',
        '',
        textFacts,
        '',
        textAddDates,
        '',
        '{{text.pressText}}',
        '',
        textPromo,
      ].join('\n'),
    ),
  },
  {
    name: templateNames['radio-add-date-change'],
    stream: 'campaign',
    subject: 'New add date: {{text.title}} by {{text.artistLine}}',
    html: htmlPage(
      'New add date for {{html.title}}',
      [
        '<p>The add date has changed{{#if html.previousAddDate}} from {{html.previousAddDate}}{{/if}}. It is now <strong>{{html.movedAddDate}}</strong>.</p>',
        htmlFacts,
        htmlAddDates,
        htmlPromo,
      ].join('\n'),
    ),
    text: textPage(
      'New add date for {{text.title}}',
      [
        'The add date has changed{{#if text.previousAddDate}} from {{text.previousAddDate}}{{/if}}. It is now {{text.movedAddDate}}.',
        '',
        textFacts,
        '',
        textAddDates,
        '',
        textPromo,
      ].join('\n'),
    ),
  },
];

/** Every SES template Backline sends with: notices, the release and radio mails, tour press and the budget mails. */
export const mailTemplates: MailTemplate[] = [
  noticeTemplate,
  ...releaseTemplates,
  ...radioTemplates,
  tourPressTemplate,
  ...budgetTemplates,
];
