import { describe, expect, it } from 'vitest';
import { acceptedOnly } from '#infra/local/ses/emulator.ts';
import { sesId } from '#infra/local/ses/events.ts';

describe('the local SES store as it is read', () => {
  it('leaves out a mail the emulator holds under its own id until the front has accepted it', () => {
    const accepted = { messageId: sesId(Date.parse('2027-03-01T12:00:00Z')), subject: 'Out now' };
    const inFlight = { messageId: 'ses-123456789', subject: 'Out now' };

    expect(acceptedOnly({ emails: [accepted, inFlight] })).toEqual({ emails: [accepted] });
  });
});
