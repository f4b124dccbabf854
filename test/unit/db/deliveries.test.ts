import { randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  PutCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { keptTold, type ToldDates, toldOfKept } from '#functions/announcer/told.ts';
import {
  claimedDelivery,
  type Delivery,
  deliveryIdOf,
  dynamoDeliveries,
  type MailIdentity,
  mailSubjects,
  type NewClaim,
} from '#shared/db/deliveries.ts';
import { nameHash } from '#shared/db/keys.ts';
import { CountryOrWorldwide } from '#shared/events/fields.ts';
import { itemBytes } from '#test/support/dynamo-items.ts';

const announcement: MailIdentity = {
  labelId: 'nightshift',
  subject: mailSubjects.release('rel-1'),
  email: 'editor@radio.example',
  kind: 'announcement',
};

describe('a mail’s identity', () => {
  it('is the address, not the outlet: the same in any case or spacing', () => {
    const id = deliveryIdOf(announcement);

    expect(deliveryIdOf({ ...announcement, email: '  Editor@RADIO.example ' })).toBe(id);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('differs for another address, kind, release or date', () => {
    const id = deliveryIdOf(announcement);

    expect(deliveryIdOf({ ...announcement, email: 'other@radio.example' })).not.toBe(id);
    expect(deliveryIdOf({ ...announcement, kind: 'out-now' })).not.toBe(id);
    expect(deliveryIdOf({ ...announcement, subject: mailSubjects.release('rel-2') })).not.toBe(id);
    expect(deliveryIdOf({ ...announcement, kind: 'date-change', revision: '2027-05-01T09:00' })).not.toBe(
      deliveryIdOf({ ...announcement, kind: 'date-change', revision: '2027-05-02T09:00' }),
    );
  });

  it('never lets ids that share their characters meet, however a label splits them', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.string(), (a, b, c) => {
        const first = deliveryIdOf({ ...announcement, labelId: a, subject: mailSubjects.release(b + c) });
        const second = deliveryIdOf({ ...announcement, labelId: a + b, subject: mailSubjects.release(c) });

        expect(first).not.toBe(second);
      }),
    );
  });
});

describe('the identity of every sender’s mails', () => {
  it('keeps the id release mails always had, so mails claimed before still count', () => {
    expect(deliveryIdOf(announcement)).toBe(
      nameHash(['delivery', 'nightshift', 'rel-1', 'editor@radio.example', 'announcement', ''], 32),
    );
  });

  it('tells apart subjects of different types, the territory moment and each budget threshold, period and report day', () => {
    const mail = (subject: MailIdentity['subject'], more: Partial<MailIdentity> = {}) =>
      deliveryIdOf({ ...announcement, subject, ...more });

    const ids = [
      mail(mailSubjects.release('rel-1')),
      mail(mailSubjects.release('rel-1'), { moment: 'GB 2027-04-01T00:00' }),
      mail(mailSubjects.release('rel-1'), { moment: 'US 2027-04-01T00:00' }),
      mail(mailSubjects.show('rel-1', 'show-1')),
      mail(mailSubjects.tourShows('rel-1', 'v1')),
      mail(mailSubjects.tourShows('rel-1', 'v2')),
      mail(mailSubjects.budgetAlert('b-1', '80', '2027-03')),
      mail(mailSubjects.budgetAlert('b-1', '100', '2027-03')),
      mail(mailSubjects.budgetAlert('b-1', '80', '2027-04')),
      mail(mailSubjects.ownerReport('Owner@Label.example', '2027-03-01')),
      mail(mailSubjects.ownerReport('owner@label.example', '2027-03-02')),
    ];

    expect(new Set(ids).size).toBe(ids.length);
    expect(mail(mailSubjects.ownerReport(' OWNER@label.example', '2027-03-01'))).toBe(ids[9]);
  });

  it('never lets the ids of a show or a budget alert meet, however a label splits them', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.string(), (a, b, c) => {
        expect(deliveryIdOf({ ...announcement, subject: mailSubjects.show(a, b + c) })).not.toBe(
          deliveryIdOf({ ...announcement, subject: mailSubjects.show(a + b, c) }),
        );
        expect(
          deliveryIdOf({ ...announcement, subject: mailSubjects.budgetAlert(a, b + c, '2027') }),
        ).not.toBe(deliveryIdOf({ ...announcement, subject: mailSubjects.budgetAlert(a + b, c, '2027') }));
      }),
    );
  });
});

const documents = mockClient(DynamoDBDocumentClient);
const store = () => dynamoDeliveries(documents as unknown as DynamoDBDocumentClient, 't');

beforeEach(() => documents.reset());

/** Every country a release may name (all but WW), one by one: 250, as an ERN deal for the world lists them. */
const everyCountry = Array.from({ length: 26 * 26 }, (_, index) =>
  String.fromCharCode(65 + Math.floor(index / 26), 65 + (index % 26)),
).filter((code) => code !== 'WW' && CountryOrWorldwide.safeParse(code).success);

/** A first mail of a release to a worldwide outlet, as the announcer claims it, telling `told` (kept as the announcer keeps it). */
const aFirstMail = (told: ToldDates): NewClaim => ({
  labelId: 'lbl-01JQ8Z6V7W2K3M4N5P6Q7R8S9T',
  subject: mailSubjects.release('rel-01JQ8Z6V7W2K3M4N5P6Q7R8S9T'),
  email: 'features.editor@a-music-magazine.example',
  kind: 'announcement',
  stream: 'campaign',
  context: { outletId: 'out-01JQ8Z6V7W2K3M4N5P6Q7R8S9T' },
  asOf: '2027-01-02T10:00:00.000Z',
  told: keptTold(told),
});

/**
 * The item as the claim put it, and as marking it sent leaves it (SES's message id, the mark's own id,
 * no open-claims keys), sent again after the sweep took it over (that takeover's own id kept): the
 * largest a mark leaves it.
 */
async function claimedAndSent(claim: NewClaim) {
  documents.on(PutCommand).resolves({});
  await store().claim(claim, '2027-01-02T10:00:05.000Z');
  const claimed = documents.commandCalls(PutCommand)[0].args[0].input.Item as Record<string, unknown>;
  const { gsi2pk: _pk, gsi2sk: _sk, ...settled } = claimed;
  const sent = {
    ...settled,
    status: 'sent',
    messageId: '010001902a4f0f7d-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-000000',
    sentAt: '2027-01-02T10:30:06.000Z',
    updatedAt: '2027-01-02T10:30:06.000Z',
    takenBy: randomUUID(),
    markedBy: randomUUID(),
    resends: 1,
  };
  return { claimed, sent };
}

describe('what a release mail told, kept on its delivery (docs/design.md#exactly-once-mail)', () => {
  const fifth = '2027-03-05T00:00 Europe/London';
  const twelfth = '2027-03-12T00:00 America/New_York';

  it('keeps the delivery of a release naming 250 territories one by one under 1 KB, one write unit a claim and a mark', async () => {
    expect(everyCountry).toHaveLength(250);
    const oneDate = await claimedAndSent(aFirstMail({ [fifth]: everyCountry }));
    documents.reset();
    const twoDates = await claimedAndSent(
      aFirstMail({
        [fifth]: everyCountry.filter((code) => code !== 'US' && code !== 'CA'),
        [twelfth]: ['US', 'CA'],
      }),
    );

    for (const { claimed, sent } of [oneDate, twoDates]) {
      expect(itemBytes(claimed)).toBeLessThan(1024);
      expect(itemBytes(sent)).toBeLessThan(1024);
    }
  });

  it('gives back what the mail told, territory by territory, however it is kept', async () => {
    const told: ToldDates = {
      [fifth]: everyCountry.filter((code) => code !== 'US' && code !== 'CA'),
      [twelfth]: ['US', 'CA'],
    };
    const { claimed } = await claimedAndSent(aFirstMail(told));
    documents.on(BatchGetCommand).resolves({ Responses: { t: [claimed] } });

    const [read] = (await store().getMany([claimed.deliveryId as string])).values();

    const given = toldOfKept(read.told!);
    expect(Object.keys(given).sort()).toEqual(Object.keys(told).sort());
    for (const [key, territories] of Object.entries(told)) {
      expect([...given[key]].sort()).toEqual([...territories].sort());
    }
  });

  it('keeps what a resend tells as compactly as what the claim told', async () => {
    const { claimed } = await claimedAndSent(aFirstMail({ [fifth]: ['GB'] }));
    documents.on(BatchGetCommand).resolves({ Responses: { t: [claimed] } });
    const [delivery] = (await store().getMany([claimed.deliveryId as string])).values();
    documents.on(UpdateCommand).resolves({});

    await store().reclaim(
      delivery,
      '2027-01-02T11:00:00.000Z',
      '2027-01-02T10:30:00.000Z',
      keptTold({ [fifth]: everyCountry }),
    );

    const values = documents.commandCalls(UpdateCommand)[0].args[0].input.ExpressionAttributeValues!;
    expect(itemBytes({ ...claimed, told: values[':told'] })).toBeLessThan(1024);
  });
});

/**
 * One claim on the mocked table: an update applies its SET of strings while the claim's last write is the
 * one it read (a takeover's condition), else is refused with the claim as stored (ALL_OLD). `lost`: the
 * next update is applied and its answer lost, its SDK resend refused by that landing.
 */
function aStoredClaim(delivery: Delivery) {
  const item: Record<string, string> = { status: delivery.status, updatedAt: delivery.updatedAt };
  const table = { lost: false };
  const apply = (input: UpdateCommandInput) => {
    const values = input.ExpressionAttributeValues!;
    if (item.updatedAt !== values[':previous'])
      throw Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
        Item: Object.fromEntries(Object.entries(item).map(([name, value]) => [name, { S: value }])),
      });
    const [set] = input.UpdateExpression!.split(' REMOVE ');
    for (const [, name, value] of set.matchAll(/(\w+) = (:\w+)/g))
      if (typeof values[value] === 'string') item[name] = values[value];
  };
  documents.on(UpdateCommand).callsFake((input: UpdateCommandInput) => {
    apply(input);
    if (table.lost) {
      table.lost = false;
      apply(input);
    }
    return {};
  });
  return table;
}

describe('a stale claim taken over while the answer was lost (docs/design.md#failures-and-retries)', () => {
  const claimedAt = '2027-01-02T10:00:00.000Z';
  const aClaim = (): Delivery => claimedDelivery(aFirstMail({}), claimedAt);
  const at = '2027-01-02T10:30:00.000Z';

  it('is taken over for its resend, and not by another sweeper that read it as it was', async () => {
    const claim = aClaim();
    const table = aStoredClaim(claim);
    table.lost = true;

    const taken = await store().reclaim(claim, at);
    const another = await store().reclaim(claim, at);

    expect({ taken: taken?.updatedAt, another }).toEqual({ taken: at, another: undefined });
  });

  it('is held, and not by another sweeper that read it as it was', async () => {
    const claim = aClaim();
    const table = aStoredClaim(claim);
    table.lost = true;

    const held = await store().hold(claim, at);
    const another = await store().hold(claim, at);

    expect({ held, another }).toEqual({ held: true, another: false });
  });
});
