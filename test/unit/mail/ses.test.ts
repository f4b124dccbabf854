import type { SESv2Client, SendBulkEmailCommand } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { icsContentType, showsCalendar } from '#shared/ics.ts';
import type { BulkMail } from '#shared/mail/ports.ts';
import { classifySesError, sesMailer } from '#shared/mail/ses.ts';
import { templateNames } from '#shared/mail/templates.ts';
import { aShow } from '#test/support/tours.ts';

/** An SES client that answers every call as accepted and keeps what it was asked. */
function anSesClient() {
  const calls: SendBulkEmailCommand['input'][] = [];
  const client = {
    send: async (command: SendBulkEmailCommand) => {
      calls.push(command.input);
      return {
        BulkEmailEntryResults: (command.input.BulkEmailEntries ?? []).map((_, i) => ({
          Status: 'SUCCESS',
          MessageId: `message-${i}`,
        })),
      };
    },
  } as unknown as SESv2Client;
  return { client, calls };
}

const tourPress = (content: string): BulkMail => ({
  stream: 'campaign',
  template: templateNames['tour-press'],
  kind: 'press-announcement',
  defaultData: {},
  attachments: [{ fileName: 'Sigur-Ros-shows.ics', contentType: icsContentType, content }],
  entries: [
    {
      deliveryId: 'delivery-1',
      email: 'desk@musikexpress.example',
      unsubscribeUrl: 'https://backline.example/u/v2.token',
      data: {},
    },
  ],
});

describe('the SES mailer', () => {
  it("has SES write a calendar naming Sigur Rós and Zürich 7-bit clean: SES's default transfer encoding for an attachment (SEVEN_BIT) writes its UTF-8 octets as they are", async () => {
    const { client, calls } = anSesClient();
    const show = aShow({
      status: 'announced',
      venue: {
        ...aShow().venue,
        name: 'Volkshaus',
        city: 'Zürich',
        country: 'CH',
        timeZone: 'Europe/Zurich',
      },
    });
    const calendar = showsCalendar(
      'Sigur Rós: shows',
      [{ labelId: 'lbl-1', tourId: 'tour-1', artist: 'Sigur Rós', show, occurredAt: '2027-01-01T00:00:00Z' }],
      '2027-01-01T00:00:00Z',
    );

    await sesMailer(() => client).sendBulk(tourPress(calendar));

    const [attachment] = calls[0].DefaultContent?.Template?.Attachments ?? [];
    const octets = attachment.RawContent ?? new Uint8Array();
    expect(octets.some((octet) => octet > 0x7f)).toBe(true);
    // RFC 2045 2.7: 7bit data is US-ASCII only, so an attachment holding other octets must be encoded.
    expect(attachment.ContentTransferEncoding ?? 'SEVEN_BIT (SES default)').toBe('BASE64');
  });
});

describe("the SES mailer's reading of a refused call", () => {
  const refusal = (name: string, status: number, message = 'refused') =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

  it('takes sending paused and a spent daily quota for a pause of hours, and the send rate for throttling', () => {
    const kinds = [
      refusal('SendingPausedException', 400, 'Sending is paused for this account.'),
      refusal('LimitExceededException', 400, 'Daily message quota exceeded.'),
      refusal('Throttling', 400, 'Daily message quota exceeded.'),
      refusal('TooManyRequestsException', 429, 'Maximum sending rate exceeded.'),
      refusal('BadRequestException', 400),
      refusal('InternalFailure', 500),
    ].map((error) => classifySesError(error).kind);

    expect(kinds).toEqual(['paused', 'paused', 'paused', 'throttled', 'refused', 'unknown']);
  });

  it("takes SES v2's LimitExceededException for a pause only when it says the daily quota is spent, as it did before pauses", () => {
    // The SES v2 API model: "There are too many instances of the specified resource type." Not a pause of
    // hours: left open for the sweep, its mail would be resent every stale window and never dead-lettered.
    const kind = classifySesError(
      refusal('LimitExceededException', 400, 'There are too many instances of the specified resource type.'),
    ).kind;

    expect(kind).toBe('throttled');
  });
});
