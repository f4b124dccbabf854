import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { submitAdvancePage } from '#functions/recipients/tour-links.ts';
import type { ToursDeps } from '#functions/tours/ports.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { dynamoChangeSteps } from '#shared/db/change-steps.ts';
import { dynamoOutbox } from '#shared/db/outbox-publishing.ts';
import { dynamoPressNotes } from '#shared/db/press-notes.ts';
import { dynamoTours, type TourStore } from '#shared/db/tours.ts';
import type { EventData } from '#shared/events/index.ts';
import { ShowStepDue } from '#shared/events/index.ts';
import type { Notice } from '#shared/mail/data.ts';
import { csrfTokenFor, signAdvanceToken } from '#shared/tokens.ts';
import { advanceLinkExpiry, stepMoment } from '#shared/tours.ts';
import { documentClient, uniqueId } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';
import { aShow, fakeToursDeps, filledAdvanceForm, storeTourWithShow } from '#test/support/tours.ts';

/**
 * The promoter's advance saved while the show's day sheet goes out, on DynamoDB Local: whichever of
 * the two writes lands first, the tour manager gets the answers once, in the sheet or in its update
 * (docs/design.md#tours). The table is the file's own, so no function of the cloud acts on its outbox:
 * the test delivers the steps it holds.
 */
const table = aTableOfItsOwn('backline-day-sheet');
const key = 'k'.repeat(48);
const show = aShow({ showId: 'show-raced' });
const sheetMoment = stepMoment(show, 'day-sheet').scheduledFor;

async function aShowOnItsSheetDay() {
  const now = { value: new Date(Date.parse(sheetMoment) + 60_000) };
  const fakes = fakeToursDeps(now);
  const tours = {
    ...dynamoTours(documentClient(), table.name),
    ...dynamoPressNotes(documentClient(), table.name),
    ...dynamoChangeSteps(documentClient(), table.name),
  };
  const deps: ToursDeps = { ...fakes.deps, tours };
  const ref = { labelId: uniqueId('lbl'), tourId: uniqueId('tour'), showId: show.showId };
  const { promoterId } = await storeTourWithShow(tours, show, undefined, ref);
  const token = signAdvanceToken(key, { ...ref, promoterId, expiresAt: advanceLinkExpiry(show) });
  /** The promoter posts the form with `phone` as the contact on the day, through `store`. */
  const postAdvance = (phone: string, store: TourStore = tours) =>
    submitAdvancePage(
      token,
      filledAdvanceForm(csrfTokenFor(key, token), { dayContactName: 'Yui', dayContactPhone: phone }),
      { signingKey: async () => key, tours: store, now: () => now.value },
    );
  const sheetStep = () =>
    takeStep({ ...ref, step: 'day-sheet', scheduledFor: sheetMoment }, { correlationId: 'c' }, deps);
  /** Each show step the outbox holds for the show, delivered (and again: a redelivery), until none is left. */
  const deliverSteps = async () => {
    const outbox = dynamoOutbox(documentClient(), table.name);
    for (;;) {
      const due = (await outbox.unpublishedBefore(new Date('2100-01-01T00:00:00Z'), 100)).flatMap((entry) =>
        entry.kind === 'event' &&
        entry.event.detailType === ShowStepDue.detailType &&
        (entry.event.detail as { data: { labelId: string } }).data.labelId === ref.labelId
          ? [{ key: entry.key, data: (entry.event.detail as { data: EventData<typeof ShowStepDue> }).data }]
          : [],
      );
      if (due.length === 0) return;
      for (const step of due) {
        await takeStep(step.data, { correlationId: 'c' }, deps);
        await takeStep(step.data, { correlationId: 'c' }, deps);
        await outbox.markPublished(step.key, now.value);
      }
    }
  };
  /** Each mail to the tour manager: its kind and the contact on the day it states. */
  const toTourManager = () =>
    fakes.mailer.sent
      .filter((mail) => mail.to.email === 'sam@tm.example')
      .map((mail) => [
        mail.kind,
        (mail.data.text as Notice).sections
          ?.flatMap((section) => section.rows)
          .find((row) => row.label === 'On the day')?.value ?? 'no answers',
      ]);
  return { tours, deps, now, postAdvance, sheetStep, deliverSteps, toTourManager };
}

describe('the advance saved while the day sheet goes out', () => {
  it('mails the tour manager the answers in an update when they are saved after the sheet read the show, before it was recorded', async () => {
    const w = await aShowOnItsSheetDay();
    // The sheet reads the show (no advance yet), then the promoter's answers are saved, then it is mailed.
    const send = w.deps.mailer.send.bind(w.deps.mailer);
    let saved = 0;
    w.deps.mailer = {
      ...w.deps.mailer,
      send: async (mails, leftOut) => {
        if (saved++ === 0) expect((await w.postAdvance('+49 30 5555 0100')).saved).toBe('submitted');
        return send(mails, leftOut);
      },
    };

    await w.sheetStep();
    await w.sheetStep();
    await w.deliverSteps();

    expect(w.toTourManager()).toEqual([
      ['day-sheet', 'no answers'],
      ['day-sheet-update', 'Yui, +49 30 5555 0100'],
    ]);
  });

  it('mails the tour manager the amended answers in an update when the amendment lands after the sheet read the show', async () => {
    const w = await aShowOnItsSheetDay();
    w.now.value = new Date(Date.parse(sheetMoment) - 3_600_000);
    await w.postAdvance('+49 30 5555 0100');
    w.now.value = new Date(Date.parse(sheetMoment) + 60_000);
    const send = w.deps.mailer.send.bind(w.deps.mailer);
    let saved = 0;
    w.deps.mailer = {
      ...w.deps.mailer,
      send: async (mails, leftOut) => {
        if (saved++ === 0) expect((await w.postAdvance('+49 170 5555 0199')).saved).toBe('amended');
        return send(mails, leftOut);
      },
    };

    await w.sheetStep();
    await w.deliverSteps();

    expect(w.toTourManager()).toEqual([
      ['day-sheet', 'Yui, +49 30 5555 0100'],
      ['day-sheet-update', 'Yui, +49 170 5555 0199'],
    ]);
  });

  it('mails the tour manager the answers in an update when they are saved after the sheet went, its invocation dying before the record', async () => {
    const w = await aShowOnItsSheetDay();
    const markStepDone = w.deps.tours.markStepDone.bind(w.deps.tours);
    let died = false;
    w.deps.tours = {
      ...w.deps.tours,
      markStepDone: async (...args) => {
        if (died) return markStepDone(...args);
        died = true;
        throw new Error('the invocation timed out');
      },
    };

    await expect(w.sheetStep()).rejects.toThrow('the invocation timed out');
    expect((await w.postAdvance('+49 30 5555 0100')).saved).toBe('submitted');
    // The step's retry finds the sheet's mails claimed, sent before, and records it.
    await w.sheetStep();
    await w.deliverSteps();

    expect(w.toTourManager()).toEqual([
      ['day-sheet', 'no answers'],
      ['day-sheet-update', 'Yui, +49 30 5555 0100'],
    ]);
  });

  it('mails the tour manager the answers in an update when the sheet is recorded between the advance’s read and its write', async () => {
    const w = await aShowOnItsSheetDay();
    // The advance's write read the show (no sheet gone), then the whole sheet goes before that write lands.
    const db = documentClient();
    let raced = false;
    const racing = dynamoTours(
      {
        send: async (command: unknown) => {
          if (command instanceof TransactWriteCommand && !raced) {
            raced = true;
            await w.sheetStep();
          }
          return db.send(command as never);
        },
      } as unknown as DynamoDBDocumentClient,
      table.name,
    );

    expect((await w.postAdvance('+49 30 5555 0100', racing)).saved).toBe('submitted');
    await w.deliverSteps();

    expect(raced).toBe(true);
    expect(w.toTourManager()).toEqual([
      ['day-sheet', 'no answers'],
      ['day-sheet-update', 'Yui, +49 30 5555 0100'],
    ]);
  });
});
