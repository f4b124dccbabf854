import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/intake/handler.ts';
import type { IntakeDeps } from '#functions/intake/receive.ts';
import { sign } from '#functions/intake/signature.ts';
import { withRotatedSecret } from '#shared/db/labels.ts';
import { TourBooked } from '#shared/events/index.ts';
import { sampleShow } from '#shared/events/tour-booked.ts';
import type { HttpResult } from '#shared/http/index.ts';
import { ernMessage } from '#test/support/ern.ts';
import {
  aContext,
  aLabel,
  aReleaseWebhook,
  aSecret,
  aWebhookEvent,
  InMemoryLabels,
  InMemoryWebhookRecords,
  signedWebhook,
} from '#test/support/intake.ts';
import { aReleaseDetails, knownReleases } from '#test/support/releases.ts';

const now = new Date('2027-01-05T10:00:00Z');

function intake(options: { now?: Date; releases?: IntakeDeps['releases'] } = {}) {
  const label = aLabel();
  const labels = new InMemoryLabels(label);
  const webhooks = new InMemoryWebhookRecords();
  let ids = 0;
  const deps: IntakeDeps = {
    labels,
    webhooks,
    releases: options.releases ?? knownReleases(),
    now: () => options.now ?? now,
    newEventId: () => `evt-${++ids}`,
  };
  const handler = makeHandler(deps);
  const send = async (
    request: { headers: Record<string, string>; body: string | Buffer },
    labelId = label.labelId,
  ) => {
    const result = (await handler(aWebhookEvent(labelId, request), aContext())) as HttpResult;
    return { status: result.statusCode, body: JSON.parse(result.body ?? 'null') };
  };
  return { label, labels, webhooks, deps, send, secret: label.secrets[0].value };
}

describe('intake of a label webhook', () => {
  it('answers 202 with the eventId once the webhook is recorded as pending: the record is its outbox entry', async () => {
    const { send, secret, webhooks, label } = intake();
    const request = signedWebhook(secret, aReleaseWebhook(), { id: 'msg_1', at: now });

    const response = await send(request);

    expect(response).toEqual({ status: 202, body: { eventId: 'evt-1' } });
    expect(webhooks.all()).toEqual([
      expect.objectContaining({
        labelId: label.labelId,
        webhookId: 'msg_1',
        eventId: 'evt-1',
        status: 'pending',
        body: request.body,
        receivedAt: now.toISOString(),
        expiresAt: now.getTime() / 1000 + 30 * 86_400,
      }),
    ]);
  });

  it('answers a repeated webhook-id with the first answer and records it once', async () => {
    const { send, secret, webhooks } = intake();
    const request = signedWebhook(secret, aReleaseWebhook(), { id: 'msg_1', at: now });
    const first = await send(request);

    const second = await send(request);

    expect(second).toEqual(first);
    expect(webhooks.all()).toHaveLength(1);
  });

  it('refuses a repeated webhook-id with another body with a 409 naming it, not an answer that drops the change', async () => {
    const { send, secret, webhooks } = intake();
    const first = signedWebhook(secret, aReleaseWebhook({ title: 'Night Drive' }), { id: 'msg_1', at: now });
    await send(first);

    const other = await send(
      signedWebhook(secret, aReleaseWebhook({ title: 'Night Drive (Extended)' }), { id: 'msg_1', at: now }),
    );

    expect(other).toMatchObject({
      status: 409,
      body: { error: 'conflict', issues: [{ path: 'header.webhook-id', message: expect.any(String) }] },
    });
    expect(webhooks.all()).toEqual([expect.objectContaining({ body: first.body })]);
  });

  it('accepts a webhook signed with the rotated-out secret within 24 hours', async () => {
    const { send, labels, label, secret } = intake();
    labels.items.set(label.labelId, withRotatedSecret(label, aSecret(), new Date(now.getTime() - 3_600_000)));

    const response = await send(signedWebhook(secret, aReleaseWebhook(), { at: now }));

    expect(response.status).toBe(202);
  });

  it('accepts a JSON media type with parameters or a +json suffix', async () => {
    const { send, secret } = intake();

    const withCharset = await send(
      signedWebhook(secret, aReleaseWebhook(), { at: now, contentType: 'application/json; charset=utf-8' }),
    );
    const suffixed = await send(
      signedWebhook(secret, aReleaseWebhook(), { at: now, contentType: 'application/webhook+json' }),
    );

    expect([withCharset.status, suffixed.status]).toEqual([202, 202]);
  });
});

const ern = (values: Partial<Record<string, string>> = {}) =>
  ernMessage('single', {
    messageId: 'MSG-2027-0001',
    createdAt: '2027-01-05T09:59:00Z',
    icpn: '5012345678900',
    genre: 'Synthpop',
    date: '2027-03-05',
    ...values,
  } as Record<string, string>);

describe('intake of a DDEX ERN message', () => {
  it('records an ERN 4.3 message sent as application/xml or text/xml, signed as JSON webhooks are, raw XML kept', async () => {
    const { send, secret, webhooks, label } = intake();
    const body = ern();

    const first = await send(
      signedWebhook(secret, body, { at: now, contentType: 'application/xml; charset=utf-8' }),
    );
    const second = await send(
      signedWebhook(secret, ern({ messageId: 'MSG-2027-0002' }), { at: now, contentType: 'text/xml' }),
    );

    expect([first.status, second.status]).toEqual([202, 202]);
    expect(webhooks.all()[0]).toEqual(
      expect.objectContaining({
        labelId: label.labelId,
        webhookId: 'MSG-2027-0001',
        format: 'ern',
        type: 'release.scheduled',
        body,
        status: 'pending',
      }),
    );
  });

  it('takes a message for a release it knows as release.updated: ERN 4 messages replace what came before', async () => {
    const known = knownReleases({
      labelId: aLabel().labelId,
      releaseId: '5012345678900',
      details: aReleaseDetails({ releaseId: '5012345678900' }),
    });
    const { send, secret, webhooks } = intake({ releases: known });

    await send(signedWebhook(secret, ern(), { at: now, contentType: 'application/xml' }));

    expect(webhooks.all().map((record) => record.type)).toEqual(['release.updated']);
  });

  it('answers a MessageId received before with the first answer, under any webhook-id, and records it once', async () => {
    const { send, secret, webhooks } = intake();
    const first = await send(
      signedWebhook(secret, ern(), { id: 'msg_a', at: now, contentType: 'application/xml' }),
    );

    const again = await send(
      signedWebhook(secret, ern(), { id: 'msg_b', at: now, contentType: 'application/xml' }),
    );

    expect(again).toEqual(first);
    expect(webhooks.all()).toHaveLength(1);
  });

  it('refuses a MessageId received before with another message with a 409 naming it, not an answer that drops the change', async () => {
    const { send, secret, webhooks } = intake();
    const first = signedWebhook(secret, ern(), { id: 'msg_a', at: now, contentType: 'application/xml' });
    await send(first);

    const moved = await send(
      signedWebhook(secret, ern({ date: '2027-04-09' }), {
        id: 'msg_b',
        at: now,
        contentType: 'application/xml',
      }),
    );

    expect(moved).toMatchObject({
      status: 409,
      body: {
        error: 'conflict',
        issues: [
          {
            path: 'NewReleaseMessage/MessageHeader/MessageId',
            message: 'was received before with another body: send a different change under a new MessageId',
          },
        ],
      },
    });
    expect(webhooks.all()).toEqual([expect.objectContaining({ body: first.body })]);
  });

  it('answers 400 naming the element path, and records nothing, for an ERN message lacking what Backline needs', async () => {
    const { send, secret, webhooks } = intake();
    const noDeals = ern().replace(/<DealList>[\s\S]*<\/DealList>/, '');

    const response = await send(signedWebhook(secret, noDeals, { at: now, contentType: 'application/xml' }));

    expect(response).toEqual({
      status: 400,
      body: {
        error: 'validation',
        message: expect.stringContaining('NewReleaseMessage/DealList'),
        issues: [{ path: 'NewReleaseMessage/DealList', message: expect.stringContaining('is missing') }],
      },
    });
    expect(webhooks.all()).toHaveLength(0);
  });

  // RFC 6839 and RFC 7303: a media type ending in +xml is XML (as +json is JSON), whatever it is a kind of;
  // what it holds must still be an ERN message, as for application/xml. (docs/design.md#ddex-ern)
  it('records an ERN message sent as an application/*+xml type (application/vnd.ddex.ern+xml), and answers 400 to such XML that is no ERN message (an image/svg+xml, 415)', async () => {
    const { send, secret, webhooks } = intake();
    const atom = '<feed xmlns="http://www.w3.org/2005/Atom"><title>Night Drive</title></feed>';

    const answers = [
      await send(
        signedWebhook(secret, ern(), { at: now, contentType: 'application/vnd.ddex.ern+xml; charset=utf-8' }),
      ),
      await send(
        signedWebhook(secret, ern({ messageId: 'MSG-2027-0002' }), {
          at: now,
          contentType: 'Application/Vnd.Label-Feed.v2+XML',
        }),
      ),
      await send(signedWebhook(secret, atom, { at: now, contentType: 'application/atom+xml' })),
      // An image, though XML: no message is sent as one.
      await send(
        signedWebhook(secret, ern({ messageId: 'MSG-2027-0003' }), { at: now, contentType: 'image/svg+xml' }),
      ),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 400, 415]);
    expect(answers[2]!.body.issues).toEqual([
      { path: 'feed', message: expect.stringContaining('is not in an ERN namespace Backline takes') },
    ]);
    expect(webhooks.all().map((record) => [record.webhookId, record.format])).toEqual([
      ['MSG-2027-0001', 'ern'],
      ['MSG-2027-0002', 'ern'],
    ]);
  });

  it('keeps the check order for XML: 401 before 415, 415 for a type neither JSON nor XML, then 400', async () => {
    const { send, secret } = intake();

    const badSignature = await send(
      signedWebhook(aSecret(), 'not xml', { at: now, contentType: 'application/xml' }),
    );
    const wrongType = await send(signedWebhook(secret, ern(), { at: now, contentType: 'text/html' }));
    const malformed = await send(
      signedWebhook(secret, '<NewReleaseMessage>', { at: now, contentType: 'text/xml' }),
    );

    expect([badSignature.status, wrongType.status, malformed.status]).toEqual([401, 415, 400]);
    expect(wrongType.body.message).toContain('application/xml');
    expect(malformed.body.message).toContain('not well-formed XML');
  });
});

/** A webhook whose body is `bytes` as sent, signed over those bytes, of `contentType`. */
const signedBytes = (secret: string, bytes: Buffer, contentType: string) => {
  const id = `msg_${bytes.length}_${contentType.length}`;
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    body: bytes,
    headers: {
      'content-type': contentType,
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': sign(secret, id, timestamp, bytes),
    },
  };
};

describe('a webhook whose Content-Type names a charset', () => {
  it('refuses a charset other than UTF-8 or US-ASCII with a 415 naming it, for JSON and XML, and records nothing', async () => {
    const { send, secret, webhooks } = intake();
    const latin1 = Buffer.from(JSON.stringify(aReleaseWebhook({ title: 'Café' })), 'latin1');
    const asciiOnly = Buffer.from(JSON.stringify(aReleaseWebhook({ title: 'Cafe' })), 'latin1');

    const answers = [
      await send(signedBytes(secret, latin1, 'application/json; charset=iso-8859-1')),
      await send(signedBytes(secret, asciiOnly, 'application/json;charset="ISO-8859-1"')),
      await send(signedBytes(secret, Buffer.from(ern(), 'latin1'), 'application/xml; charset=windows-1252')),
      await send(signedBytes(secret, Buffer.from(ern(), 'latin1'), 'text/xml; charset=utf-16')),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([415, 415, 415, 415]);
    expect(answers.map((answer) => answer.body.message)).toEqual([
      expect.stringMatching(/charset iso-8859-1 .*UTF-8/),
      expect.stringMatching(/charset iso-8859-1 .*UTF-8/),
      expect.stringMatching(/charset windows-1252 .*UTF-8/),
      expect.stringMatching(/charset utf-16 .*UTF-8/),
    ]);
    expect(webhooks.all()).toEqual([]);
  });

  it('takes UTF-8 and US-ASCII however the charset is written, a charset named empty as none, and the title as sent', async () => {
    const { send, secret, webhooks } = intake();
    const body = (title: string) => Buffer.from(JSON.stringify(aReleaseWebhook({ title })));

    const answers = [
      await send(signedBytes(secret, body('Café'), 'application/json; charset=UTF-8')),
      await send(signedBytes(secret, body('Café Noir'), 'application/json; charset="utf-8"')),
      await send(signedBytes(secret, body('Cafe'), 'application/json; charset=us-ascii')),
      await send(signedBytes(secret, body('Café Blanc'), 'application/json; charset=')),
      await send(signedBytes(secret, body('Café Crème'), 'application/json; charset=""')),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202, 202, 202]);
    expect(webhooks.all().map((record) => JSON.parse(record.body).data.title)).toEqual(
      expect.arrayContaining(['Café', 'Café Noir', 'Cafe', 'Café Blanc', 'Café Crème']),
    );
  });

  // The Encoding Standard's names of UTF-8, which TextDecoder (and so the CSV import) takes: HTTP clients
  // and servers write `utf8` (PHP's, MySQL's spelling) as often as `utf-8`.
  it('takes UTF-8 by each name the Encoding Standard gives it (utf8, UTF8, unicode-1-1-utf-8), JSON and XML', async () => {
    const { send, secret, webhooks } = intake();
    const body = (title: string) => Buffer.from(JSON.stringify(aReleaseWebhook({ title })));

    const answers = [
      await send(signedBytes(secret, body('Café utf8'), 'application/json; charset=utf8')),
      await send(signedBytes(secret, body('Café UTF8'), 'application/json;charset="UTF8"')),
      await send(signedBytes(secret, body('Café 1-1'), 'application/json; charset=unicode-1-1-utf-8')),
      await send(signedBytes(secret, Buffer.from(ern(), 'utf8'), 'application/xml; charset=utf8')),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202, 202]);
    expect(webhooks.all()).toHaveLength(4);
  });
});

// docs/design.md#routes-and-auth: US-ASCII is a part of UTF-8, so a body labelled so by any of its names
// is read as UTF-8 when it is ASCII; one holding a byte above 0x7F is not what its label says, a 400 naming
// the charset as a body that is not valid UTF-8 is (refused, not read as UTF-8 against its label).
/** The 400 of a body labelled `charset` (a name of US-ASCII) whose byte at `index` is `byte`, above 0x7F. */
const asciiRefusal = (charset: string, index: number, byte: number) =>
  `is not valid ${charset} text: byte ${index} is 0x${byte.toString(16).toUpperCase()}, and US-ASCII has none above 0x7F (UTF-8 is charset=utf-8)`;

describe('a webhook whose Content-Type names US-ASCII', () => {
  it('takes it as UTF-8 by each of its names (us-ascii, US-ASCII, ascii, ANSI_X3.4-1968), JSON and XML, when its bytes are ASCII', async () => {
    const { send, secret, webhooks } = intake();
    const body = (title: string) => Buffer.from(JSON.stringify(aReleaseWebhook({ title })));

    const answers = [
      await send(signedBytes(secret, body('Cafe'), 'application/json; charset=us-ascii')),
      await send(signedBytes(secret, body('Cafe Noir'), 'application/json; charset=US-ASCII')),
      await send(signedBytes(secret, body('Cafe Creme'), 'application/json; charset=ascii')),
      await send(
        signedBytes(secret, body('Cafe Blanc au lait'), 'application/json; charset="ANSI_X3.4-1968"'),
      ),
      await send(signedBytes(secret, Buffer.from(ern(), 'utf8'), 'application/xml; charset=ascii')),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202, 202, 202]);
    expect(webhooks.all()).toHaveLength(5);
  });

  it('refuses a body labelled US-ASCII that holds a byte above 0x7F with a 400 naming the charset, JSON and XML, and records nothing', async () => {
    const { send, secret, webhooks } = intake();
    const utf8 = Buffer.from(JSON.stringify(aReleaseWebhook({ title: 'Café' })), 'utf8');
    const latin1 = Buffer.from(JSON.stringify(aReleaseWebhook({ title: 'Café' })), 'latin1');
    const xml = Buffer.from(ern().replace('Night Drive', 'Café Drive'), 'utf8');
    const at = (bytes: Buffer, byte: number) => bytes.indexOf(byte);

    const answers = [
      await send(signedBytes(secret, utf8, 'application/json; charset=us-ascii')),
      await send(signedBytes(secret, latin1, 'application/json; charset=ASCII')),
      await send(signedBytes(secret, xml, 'application/xml; charset=us-ascii')),
    ];

    expect(answers.map((answer) => [answer.status, answer.body.issues])).toEqual([
      [400, [{ path: '', message: asciiRefusal('us-ascii', at(utf8, 0xc3), 0xc3) }]],
      [400, [{ path: '', message: asciiRefusal('ascii', at(latin1, 0xe9), 0xe9) }]],
      [400, [{ path: '', message: asciiRefusal('us-ascii', at(xml, 0xc3), 0xc3) }]],
    ]);
    expect(webhooks.all()).toEqual([]);
  });
});

describe('rejected webhooks', () => {
  const oversized = () => aReleaseWebhook({ pressRelease: { text: 'x'.repeat(256 * 1024) } });

  it('checks in the order 413 size, 404 label, 401 signature, 415 Content-Type, 400 body', async () => {
    const { send, secret } = intake();
    const wrongSecret = aSecret();
    const badBody = { type: 'release.scheduled', timestamp: 'yesterday', data: {} };

    const tooLargeForUnknownLabel = await send(
      signedWebhook(wrongSecret, oversized(), { at: now, contentType: 'text/plain' }),
      'nobody',
    );
    const unknownLabelBadSignature = await send(
      signedWebhook(wrongSecret, badBody, { at: now, contentType: 'text/plain' }),
      'nobody',
    );
    const badSignatureWrongType = await send(
      signedWebhook(wrongSecret, badBody, { at: now, contentType: 'text/plain' }),
    );
    const wrongTypeBadBody = await send(
      signedWebhook(secret, badBody, { at: now, contentType: 'text/plain' }),
    );
    const badBodyOnly = await send(signedWebhook(secret, badBody, { at: now }));

    expect(
      [
        tooLargeForUnknownLabel,
        unknownLabelBadSignature,
        badSignatureWrongType,
        wrongTypeBadBody,
        badBodyOnly,
      ].map((r) => r.status),
    ).toEqual([413, 404, 401, 415, 400]);
  });

  it('answers 400 with field-level issues for a body that fails its schema', async () => {
    const { send, secret } = intake();

    const response = await send(
      signedWebhook(secret, aReleaseWebhook({ releaseDate: '5 March' }), { at: now }),
    );

    expect(response).toEqual({
      status: 400,
      body: {
        error: 'validation',
        message: expect.any(String),
        issues: [{ path: 'data.releaseDate', message: expect.any(String) }],
      },
    });
  });

  it('answers 400 naming venue.timeZone, and records nothing, for a tour booked at a venue in DE in America/New_York', async () => {
    const { send, secret, webhooks } = intake();
    const venue = { ...sampleShow.venue, timeZone: 'America/New_York' };
    const booking = { ...TourBooked.sample, shows: [{ ...sampleShow, venue }] };

    const response = await send(
      signedWebhook(
        secret,
        { type: 'tour.booked', timestamp: now.toISOString(), data: booking },
        { at: now },
      ),
    );

    expect(response).toEqual({
      status: 400,
      body: {
        error: 'validation',
        message: expect.any(String),
        issues: [{ path: 'data.shows.0.venue.timeZone', message: 'is no time zone of DE' }],
      },
    });
    expect(webhooks.all()).toEqual([]);
  });

  it('answers 400 naming releaseTime, and records nothing, for a release at a time its zone skips', async () => {
    const { send, secret, webhooks } = intake();
    const skipped = { releaseDate: '2027-03-28', releaseTime: '01:30', timeZone: 'Europe/London' };

    const response = await send(signedWebhook(secret, aReleaseWebhook(skipped), { at: now }));

    expect(response).toEqual({
      status: 400,
      body: {
        error: 'validation',
        message: expect.any(String),
        issues: [
          {
            path: 'data.releaseTime',
            message: '01:30 does not exist in Europe/London on 2027-03-28: the clocks skip it',
          },
        ],
      },
    });
    expect(webhooks.all()).toEqual([]);
  });

  it('answers 400 on `type` for an unknown webhook type', async () => {
    const { send, secret } = intake();

    const response = await send(
      signedWebhook(secret, { type: 'album.leaked', timestamp: now.toISOString(), data: {} }, { at: now }),
    );

    expect(response.status).toBe(400);
    expect(response.body.issues.map((i: { path: string }) => i.path)).toEqual(['type']);
  });

  it('answers 400 for a signed body that is not JSON', async () => {
    const { send, secret } = intake();

    const response = await send(signedWebhook(secret, '{"type": "release.scheduled", ', { at: now }));

    expect(response.status).toBe(400);
  });

  it('answers 401 for a stale, a tampered and an unsigned webhook', async () => {
    const { send, secret } = intake();
    const stale = signedWebhook(secret, aReleaseWebhook(), { at: new Date(now.getTime() - 6 * 60_000) });
    const signed = signedWebhook(secret, aReleaseWebhook(), { at: now });
    const tampered = { ...signed, body: signed.body.replace('Night Drive', 'Day Drive') };
    const { 'webhook-signature': _, ...unsignedHeaders } = signed.headers;

    const statuses = await Promise.all(
      [stale, tampered, { ...signed, headers: unsignedHeaders }].map((r) => send(r)),
    );

    expect(statuses.map((s) => [s.status, s.body.error])).toEqual([
      [401, 'unauthorized'],
      [401, 'unauthorized'],
      [401, 'unauthorized'],
    ]);
  });

  it('names in its 401 the header a label left out, or that its webhook-timestamp is too far from Backline’s clock', async () => {
    const { send, secret } = intake();
    const signed = signedWebhook(secret, aReleaseWebhook(), { at: now });
    const { 'webhook-signature': _, ...unsigned } = signed.headers;
    const { 'webhook-id': __, 'webhook-timestamp': ___, ...bare } = signed.headers;
    const stale = signedWebhook(secret, aReleaseWebhook(), { at: new Date(now.getTime() - 6 * 60_000) });

    const answers = await Promise.all(
      [{ ...signed, headers: unsigned }, { ...signed, headers: bare }, stale].map((r) => send(r)),
    );

    expect(answers.map((answer) => answer.body.message)).toEqual([
      'webhook signature rejected: missing headers: webhook-signature',
      'webhook signature rejected: missing headers: webhook-id, webhook-timestamp',
      `webhook signature rejected: stale timestamp: webhook-timestamp ${Math.floor(now.getTime() / 1000) - 360} (2027-01-05T09:54:00Z) is 360 seconds before Backline's clock (2027-01-05T10:00:00.000Z): it must be within 300 seconds of it`,
    ]);
  });

  it("states in its 401 for a stale webhook-timestamp how far it is from Backline's clock, and which way, with both instants", async () => {
    const { send, secret } = intake();
    const slow = signedWebhook(secret, aReleaseWebhook(), { at: new Date(now.getTime() - 6 * 60_000) });
    const fast = signedWebhook(secret, aReleaseWebhook(), { at: new Date(now.getTime() + 42 * 60_000) });

    const answers = await Promise.all([slow, fast].map((r) => send(r)));

    const clock = now.toISOString();
    const at = (minutes: number) =>
      new Date(now.getTime() + minutes * 60_000).toISOString().replace('.000', '');
    expect(answers.map((answer) => answer.body.message)).toEqual([
      `webhook signature rejected: stale timestamp: webhook-timestamp ${Math.floor(now.getTime() / 1000) - 360} (${at(-6)}) is 360 seconds before Backline's clock (${clock}): it must be within 300 seconds of it`,
      `webhook signature rejected: stale timestamp: webhook-timestamp ${Math.floor(now.getTime() / 1000) + 2520} (${at(42)}) is 2520 seconds after Backline's clock (${clock}): it must be within 300 seconds of it`,
    ]);
  });

  it('names in its 401 the header that is malformed and what it must be', async () => {
    const { send, secret } = intake();
    const signed = signedWebhook(secret, aReleaseWebhook(), { at: now });
    const inMilliseconds = { ...signed.headers, 'webhook-timestamp': String(now.getTime()) };
    const spacedId = { ...signed.headers, 'webhook-id': 'msg 1' };

    const answers = await Promise.all(
      [inMilliseconds, spacedId].map((headers) => send({ ...signed, headers })),
    );

    expect(answers.map((answer) => [answer.status, answer.body.message])).toEqual([
      [401, 'webhook signature rejected: malformed headers: webhook-timestamp must be whole Unix seconds'],
      [
        401,
        'webhook signature rejected: malformed headers: webhook-id must be 1 to 256 printable ASCII characters',
      ],
    ]);
  });

  it('answers 404 for a label id that cannot exist, without looking it up', async () => {
    const { send, secret } = intake();

    const response = await send(
      signedWebhook(secret, aReleaseWebhook(), { at: now }),
      `${'x'.repeat(2_000)}#`,
    );

    expect(response.status).toBe(404);
  });

  it('records nothing for a rejected webhook', async () => {
    const { send, secret, webhooks } = intake();

    await send(signedWebhook(secret, oversized(), { at: now }));
    await send(signedWebhook(aSecret(), aReleaseWebhook(), { at: now }));
    await send(signedWebhook(secret, aReleaseWebhook(), { at: now, contentType: 'text/plain' }));
    await send(signedWebhook(secret, aReleaseWebhook({ kind: 'mixtape' as 'single' }), { at: now }));

    expect(webhooks.all()).toEqual([]);
  });
});

// docs/design.md#ordering-by-the-labels-timestamp: a change applies only when it is newer than the one
// held, so one dated far ahead would make every correction after it look older, and be ignored.
describe('a webhook dated ahead of Backline’s clock', () => {
  const at = (ms: number) => new Date(now.getTime() + ms).toISOString();

  it('is taken up to 300 seconds ahead, as a signature is', async () => {
    const { send, secret, webhooks } = intake();

    const response = await send(
      signedWebhook(secret, aReleaseWebhook({}, { timestamp: at(300_000) }), { at: now }),
    );

    expect(response.status).toBe(202);
    expect(webhooks.all()).toHaveLength(1);
  });

  it('is refused with a 400 naming timestamp past that, and nothing is recorded', async () => {
    const { send, secret, webhooks } = intake();

    const answers = await Promise.all(
      [at(301_000), '9999-12-31T00:00:00Z'].map((timestamp) =>
        send(signedWebhook(secret, aReleaseWebhook({}, { timestamp }), { at: now })),
      ),
    );

    expect(answers.map((answer) => [answer.status, answer.body.issues])).toEqual(
      Array(2).fill([
        400,
        [
          {
            path: 'timestamp',
            message:
              "must not be more than 300 seconds after Backline's clock (2027-01-05T10:00:00.000Z): it is when the change happened at the label",
          },
        ],
      ]),
    );
    expect(webhooks.all()).toEqual([]);
  });

  it('is refused as an ERN message created ahead, naming its MessageCreatedDateTime', async () => {
    const { send, secret, webhooks } = intake();

    const answer = await send(
      signedWebhook(secret, ern({ createdAt: '2027-01-05T11:00:00Z' }), {
        at: now,
        contentType: 'application/xml',
      }),
    );

    expect([answer.status, answer.body.issues]).toEqual([
      400,
      [
        {
          path: 'NewReleaseMessage/MessageHeader/MessageCreatedDateTime',
          message:
            "must not be more than 300 seconds after Backline's clock (2027-01-05T10:00:00.000Z) (read as 2027-01-05T11:00:00.000Z; one with no zone is UTC): it is when the change happened at the label",
        },
      ],
    ]);
    expect(webhooks.all()).toEqual([]);
  });
});
