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

const scheduleOf = (show: ReturnType<typeof aShow>) => {
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
  return sheet.sections?.find((section) => section.title === 'Schedule')?.rows;
};

describe("a show's times on its day sheet", () => {
  it('says a curfew the next morning after 06:00 (07:00+1) is after midnight, written as the clock reads it', () => {
    const show = aShow({ times: { doors: '22:00', set: '06:30+1', curfew: '07:00+1' } });

    const rows = scheduleOf(show);

    expect(rows).toEqual([
      { label: 'Doors', value: '22:00 Europe/Berlin' },
      { label: 'Set', value: '06:30 (after midnight) Europe/Berlin' },
      { label: 'Curfew', value: '07:00 (after midnight) Europe/Berlin' },
    ]);
  });

  it('says a set after midnight is, and an early load-in (a festival at 05:00) is not: the crew loads in before the show', () => {
    const show = aShow({ times: { loadIn: '05:00', doors: '20:00', set: '00:30' } });

    const rows = scheduleOf(show);

    expect(rows).toEqual([
      { label: 'Load-in', value: '05:00 Europe/Berlin' },
      { label: 'Doors', value: '20:00 Europe/Berlin' },
      { label: 'Set', value: '00:30 (after midnight) Europe/Berlin' },
    ]);
  });
});
