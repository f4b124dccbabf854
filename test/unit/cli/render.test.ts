import { describe, expect, it } from 'vitest';
import { render } from '#infra/cli/backline.ts';
import { table } from '#infra/cli/client.ts';

describe('what the CLI prints', () => {
  it('lines up a table under its header, lists joined with ;', () => {
    const text = table(
      [{ name: 'Radio One', territories: ['GB', 'IE'] }, { name: 'Blog' }],
      ['name', 'territories'],
    );

    expect(text.split('\n')).toEqual([
      'name       territories',
      '---------  -----------',
      'Radio One  GB;IE',
      'Blog',
    ]);
  });

  it('shows a view of any shape: its fields as lines, each list of records as a table', () => {
    const text = render({
      tourId: 'spring',
      state: 'booked',
      shows: [
        { showId: 's1', city: 'Leeds', advance: 'submitted' },
        { showId: 's2', city: 'Lyon', advance: 'overdue' },
      ],
    });

    expect(text).toContain('tourId: spring');
    expect(text).toMatch(
      /shows \(2\)\nshowId\s+city\s+advance\n[- ]+\ns1\s+Leeds\s+submitted\ns2\s+Lyon\s+overdue/,
    );
  });
});
