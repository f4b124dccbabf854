import { budgetTemplateNames } from './template-names.ts';
import type { MailTemplate } from './templates.ts';
import { plainPage } from './text-page.ts';

/** The footer of both parts of every budget mail. */
const footer = 'Backline sends this to the owner of the budget.';

/**
 * The budget mails (operational stream): an alert, and the owner's daily report. Defined once like
 * every template (docs/design.md#mail-templates); the data carries `text.*` (plain, single-line where
 * it reaches the subject) and `html.*` (escaped), because SES does not escape.
 *
 * The report's bars are table cells, 20 per budget, filled in proportion to the share used: they
 * render in mail clients that show no images and no CSS widths.
 *
 * Both read on a phone (375 px) without sideways scrolling: every text wraps, a long id too (an id is
 * one word of up to 128 characters, broken where it would pass the width), and the report's table of
 * figures, as wide as its twelve columns, scrolls inside itself.
 */
const page = (body: string) =>
  [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>',
    '<body style="font-family: Helvetica, Arial, sans-serif; line-height: 1.5; color: #1a1a1a; overflow-wrap: break-word">',
    '<p>Hello {{html.ownerName}},</p>',
    body,
    `<p style="font-size: 12px; color: #666">${footer}</p>`,
    '</body></html>',
  ].join('\n');

/** A section of the report's text part: after a blank line, its title and a line for each item; nothing when empty. */
const textSection = (list: string, title: string) =>
  `{{#if text.${list}.length}}\n\n${title}:{{#each text.${list}}}\n- {{this}}{{/each}}{{/if}}`;

/** The text part: what the HTML part says, below `--` the same footer. */
const textPage = (heading: string, body: string[]) =>
  plainPage('ownerName', heading, body.join('\n'), [footer]);

const reportRow = [
  '<tr>',
  '<td>{{budgetId}}</td><td>{{scope}}</td>',
  '<td align="right">{{planned}}</td><td align="right">{{committed}}</td><td align="right">{{actual}}</td>',
  '<td align="right">{{income}}</td><td align="right">{{remaining}}</td><td align="right">{{usedPercent}} %</td>',
  '<td align="right">{{forecastAtEnd}}</td><td>{{runsOutOn}}</td><td>{{status}}</td>',
  '<td><table cellpadding="0" cellspacing="0" border="0"><tr>',
  '{{#each bar}}<td width="5" height="10" bgcolor="{{this}}" style="background-color: {{this}}; width: 5px; height: 10px; font-size: 1px; line-height: 1px">&nbsp;</td>{{/each}}',
  '</tr></table></td>',
  '</tr>',
].join('');

export const budgetTemplates: MailTemplate[] = [
  {
    name: budgetTemplateNames.alert,
    stream: 'operational',
    subject: 'Budget {{text.budgetId}}: {{text.headline}}',
    html: page(
      [
        '<h1 style="font-size: 20px">{{html.headline}}</h1>',
        '<p>{{html.detail}}</p>',
        '<table cellpadding="4">',
        // Ids that may break anywhere: else the table is as wide as the longest id.
        '<tr><th align="left">Budget</th><td style="overflow-wrap: anywhere">{{html.budgetId}} ({{html.scope}})</td></tr>',
        '<tr><th align="left">Planned</th><td>{{html.planned}}</td></tr>',
        '<tr><th align="left">Spent (committed and actual)</th><td>{{html.used}} ({{html.usedPercent}} %)</td></tr>',
        '<tr><th align="left">Forecast at the end</th><td>{{html.forecastAtEnd}}</td></tr>',
        '<tr><th align="left">Runs out on</th><td>{{html.runsOutOn}}</td></tr>',
        '</table>',
      ].join('\n'),
    ),
    text: textPage('{{text.headline}}', [
      '{{text.detail}}',
      '',
      'Budget: {{text.budgetId}} ({{text.scope}})',
      'Planned: {{text.planned}}',
      'Spent (committed and actual): {{text.used}} ({{text.usedPercent}} %)',
      'Forecast at the end: {{text.forecastAtEnd}}',
      'Runs out on: {{text.runsOutOn}}',
    ]),
  },
  {
    name: budgetTemplateNames.report,
    stream: 'operational',
    subject: 'Budgets on {{text.date}}: {{text.summary}}',
    html: page(
      [
        '<h1 style="font-size: 20px">Your budgets on {{html.date}}</h1>',
        '<div style="overflow-x: auto; max-width: 100%">',
        '<table cellpadding="4" cellspacing="0" border="1" style="border-collapse: collapse; font-size: 13px">',
        '<tr><th>Budget</th><th>Scope</th><th>Planned</th><th>Committed</th><th>Actual</th><th>Income</th><th>Remaining</th><th>% used</th><th>Forecast at end</th><th>Runs out on</th><th>Status</th><th>Used</th></tr>',
        `{{#each html.rows}}${reportRow}{{/each}}`,
        '</table>',
        '</div>',
        '{{#if html.notListed}}<p>{{html.notListed}}</p>{{/if}}',
        '{{#if html.linesOver.length}}<h2 style="font-size: 16px">Lines over plan</h2><ul>{{#each html.linesOver}}<li>{{this}}</li>{{/each}}</ul>{{/if}}',
        '{{#if html.unconverted.length}}<h2 style="font-size: 16px">Expenses that need a rate</h2><ul>{{#each html.unconverted}}<li>{{this}}</li>{{/each}}</ul>{{/if}}',
        '{{#if html.duplicates.length}}<h2 style="font-size: 16px">Possible duplicates</h2><ul>{{#each html.duplicates}}<li>{{this}}</li>{{/each}}</ul>{{/if}}',
        '{{#if html.refused.length}}<h2 style="font-size: 16px">Refused, not counted</h2><ul>{{#each html.refused}}<li>{{this}}</li>{{/each}}</ul>{{/if}}',
        '{{#if html.drift.length}}<h2 style="font-size: 16px">Running totals repaired</h2><ul>{{#each html.drift}}<li>{{this}}</li>{{/each}}</ul>{{/if}}',
        '{{#if html.held.length}}<h2 style="font-size: 16px">Expenses for unknown budgets (over 7 days)</h2><ul>{{#each html.held}}<li>{{this}}</li>{{/each}}</ul>{{/if}}',
      ].join('\n'),
    ),
    text: textPage('Your budgets on {{text.date}}:', [
      [
        '{{#each text.rows}}{{#if @index}}\n{{/if}}{{budgetId}} ({{scope}}): planned {{planned}}, committed {{committed}}, actual {{actual}}{{#if income}}, income {{income}}{{/if}}, remaining {{remaining}}, {{usedPercent}} % used [{{barText}}], forecast at end {{forecastAtEnd}}, runs out: {{runsOutOn}}, {{status}}{{/each}}',
        '{{#if text.notListed}}\n\n{{text.notListed}}{{/if}}',
        textSection('linesOver', 'Lines over plan'),
        textSection('unconverted', 'Expenses that need a rate'),
        textSection('duplicates', 'Possible duplicates'),
        textSection('refused', 'Refused, not counted'),
        textSection('drift', 'Running totals repaired'),
        textSection('held', 'Expenses for unknown budgets (over 7 days)'),
      ].join(''),
    ]),
  },
];
