import { describe, expect, it } from 'vitest';
import { daySheet } from '#functions/tours/sheets.ts';
import { aShow } from '#test/support/tours.ts';

const tour = {
  labelId: 'lbl-1',
  tourId: 'tour-1',
  artist: { name: 'Echoes' },
  tourManager: { name: 'Sam', email: 'sam@tm.example' },
  occurredAt: '2027-01-01T00:00:00.000Z',
};

describe("a show's times on its day sheet", () => {
  it('says a set after midnight is, and an early load-in (a festival at 05:00) is not: the crew loads in before the show', () => {
    const show = aShow({ times: { loadIn: '05:00', doors: '20:00', set: '00:30' } });
    const stored = { labelId: 'lbl-1', tourId: 'tour-1', showId: show.showId, show, promoterId: 'prm-1' };

    const sheet = daySheet(
      tour,
      {
        ...stored,
        occurredAt: tour.occurredAt,
        lastEventId: 'e',
        lastCorrelationId: 'c',
        createdAt: '',
        updatedAt: '',
      },
      undefined,
      tour.tourManager,
      'https://backline.example/tm/x',
    );

    expect(sheet.sections?.find((section) => section.title === 'Schedule')?.rows).toEqual([
      { label: 'Load-in', value: '05:00 Europe/Berlin' },
      { label: 'Doors', value: '20:00 Europe/Berlin' },
      { label: 'Set', value: '00:30 (after midnight) Europe/Berlin' },
    ]);
  });
});
