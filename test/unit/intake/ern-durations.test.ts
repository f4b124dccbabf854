import { describe, expect, it } from 'vitest';
import { parseErn } from '#shared/ern.ts';
import { ernWebhookBody } from '#shared/webhooks.ts';
import { ernBase, ernIssues, ernMessage } from '#test/support/ern.ts';

const single = ernMessage('single', { ...ernBase, date: '2027-03-05' });
const lasting = (duration: string) =>
  single.replace('<Duration>PT3M45S</Duration>', `<Duration>${duration}</Duration>`);
const element = 'NewReleaseMessage/ResourceList/SoundRecording/Duration';

/**
 * docs/design.md#ddex-ern: a SoundRecording's Duration is an xs:duration (ISO 8601's PnYnMnDTnHnMnS,
 * any part left out, at least one written). Every such form is read, and a value that is none is a 400
 * naming its element, never dropped unsaid with the message taken.
 */
describe("an ERN recording's Duration", () => {
  it('reads every xs:duration form: a zero day or year written out, seconds alone, hours, a fraction', () => {
    const read = ['P0DT3M45S', 'P0Y0M0DT0H3M45S', 'PT225S', 'PT0H3M45.4S', 'PT1H', 'P0D'].map((duration) => {
      const parsed = parseErn(lasting(duration));
      if (!parsed.ok) throw parsed.error;
      return parsed.release.details?.tracks[0]?.durationSeconds;
    });

    expect(read).toEqual([225, 225, 225, 225, 3600, 0]);
  });

  it('refuses one that is no xs:duration, naming it, rather than dropping it and taking the message', () => {
    const refused = ['3:45', 'PT', 'P', 'P3M45S', 'PT3M45.S', 'PT-3M', 'P1DT', 'pt3m45s', ''].map(
      (duration) => ernIssues(lasting(duration)),
    );

    const issue = {
      path: element,
      message: 'is not an ISO 8601 duration (an xs:duration such as PT3M45S) for A1',
    };
    expect(refused).toEqual(Array.from({ length: 9 }, () => [issue]));
  });

  it('reads a valid one past a day (a day and a second, a month) or below none, and the webhook schema refuses it naming the element', () => {
    const paths = ['P1DT1S', 'P1M', '-PT3M45S'].map((duration) => {
      const parsed = parseErn(lasting(duration));
      if (!parsed.ok) throw parsed.error;
      const checked = ernWebhookBody(parsed.release, 'release.scheduled');
      return checked.ok ? [] : checked.error.issues.map((issue) => issue.path);
    });

    expect(paths).toEqual([[element], [element], [element]]);
  });
});
