import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AdvanceForm } from '#functions/recipients/tour-links.ts';
import { ExpenseRecorded, ExpenseVoided, ReleaseCancelled, TourBooked } from '#shared/events/index.ts';
import { ReleaseDetails, sampleRelease } from '#shared/events/release-scheduled.ts';
import { Contact } from '#shared/events/tour-booked.ts';
import { GuestJson } from '#shared/guests.ts';
import { OutletInput } from '#shared/outlet-input.ts';
import type * as z from '#shared/zod.ts';

const root = resolve(import.meta.dirname, '../../..');
/** The paragraph of docs/design.md#routes-and-auth on names and texts, its white space as one space. */
const namesParagraph = () => {
  const design = readFileSync(resolve(root, 'docs/design.md'), 'utf8');
  const from = design.indexOf('A name (`Name`, `shared/events/fields.ts`');
  return design.slice(from, design.indexOf('\n\n', from)).replace(/\s+/g, ' ');
};

const expense = ExpenseRecorded.sample as Record<string, unknown>;
/** Each text the paragraph names as held, as it names it, and an input of its schema holding a text there. */
const held: [string, z.ZodMiniType, (text: string) => unknown][] = [
  ['a genre', ReleaseDetails, (text) => ({ ...sampleRelease, genres: [text] })],
  ['a genre', TourBooked.data, (text) => ({ ...TourBooked.sample, genres: [text] })],
  [
    'a genre',
    OutletInput,
    (text) => ({
      name: 'Radio One',
      email: 'one@radio.example',
      kind: 'radio',
      territories: ['GB'],
      genres: [text],
    }),
  ],
  ["a contact's phone", Contact, (phone) => ({ name: 'Sam', email: 'sam@tm.example', phone })],
  ["an expense's invoice number", ExpenseRecorded.data, (text) => ({ ...expense, invoiceNumber: text })],
  [
    "its rate's source",
    ExpenseRecorded.data,
    (source) => ({ ...expense, rate: { value: '1.1', date: '2027-02-10', source, to: 'USD' } }),
  ],
  ["a guest's note", GuestJson, (note) => ({ name: 'Alex', note })],
  ["an expense's description", ExpenseRecorded.data, (text) => ({ ...expense, description: text })],
  ["a press release's text", ReleaseDetails, (text) => ({ ...sampleRelease, pressRelease: { text } })],
  [
    "a release's cancellation reason",
    ReleaseCancelled.data,
    (reason) => ({ releaseId: 'rel-2027-nightdrive', reason }),
  ],
  [
    "an expense's void reason",
    ExpenseVoided.data,
    (reason) => ({ expenseId: 'exp-0001', budgetId: 'bud-nightdrive-promo', reason }),
  ],
  [
    'a radio format',
    OutletInput,
    (format) => ({
      name: 'Radio One',
      email: 'one@radio.example',
      kind: 'radio',
      territories: ['GB'],
      formats: [format],
    }),
  ],
  [
    'a radio format',
    ReleaseDetails,
    (format) => ({
      ...sampleRelease,
      territories: ['GB'],
      radioServicing: {
        servicingDate: sampleRelease.releaseDate,
        addDates: [{ format, territory: 'GB', date: sampleRelease.releaseDate }],
      },
    }),
  ],
  [
    "promoter's advance answers",
    AdvanceForm,
    (answer) => ({
      ...Object.fromEntries(Object.keys(AdvanceForm.shape).map((field) => [field, 'Rear door'])),
      guestListAllotment: '10',
      settlementCurrency: 'EUR',
      dayContactPhone: '+351 22 555 0100',
      parking: answer,
    }),
  ],
];

// docs/design.md#routes-and-auth states which texts are held to one line or several, and which are left as
// they were: a text a schema holds is stated as held, and listed as left by none.
describe('the design record on names and texts', () => {
  it('states as held each text whose schema refuses a control character, and lists none of them as left as it was', () => {
    const paragraph = namesParagraph();
    const left = /Still left as they were[^.]*\./.exec(paragraph)?.[0] ?? '';

    const refused = held.map(([name, schema, holding]) => [
      name,
      schema.safeParse(holding('Ja\u0085zz')).success,
    ]);
    const taken = held.map(([name, schema, holding]) => [name, schema.safeParse(holding('Jazz')).success]);
    const stated = held.map(([name]) => [name, paragraph.includes(name), left.includes(name)]);

    expect(refused).toEqual(held.map(([name]) => [name, false]));
    expect(taken).toEqual(held.map(([name]) => [name, true]));
    expect(stated).toEqual(held.map(([name]) => [name, true, false]));
    expect(paragraph).not.toContain('Left as they were, for now');
    expect(paragraph).not.toContain('Still left as they were');
  });

  it('states what shows as nothing: combining marks with no base character and the blank symbols', () => {
    const paragraph = namesParagraph();

    expect(paragraph).toContain('combining mark');
    expect(paragraph).toContain('U+2800');
    expect(paragraph).toContain('U+1D159');
  });
});
