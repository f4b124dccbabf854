import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/deliverability/handler.ts';
import { FakeDeliveries } from '#test/support/announcer-fakes.ts';
import { anOutlet, InMemoryOutletDirectory } from '#test/support/outlets.ts';
import { publishedTwice } from '#test/support/publishing.ts';

/**
 * `Suppressions` counts each address suppressed once. The suppression is a conditional write (the first
 * writer suppresses the address and writes its Outlet Suppressed), whose answer the deliverability
 * function may never read: applied with its answer lost, the SDK's resend of it is refused, and the
 * function reads "suppressed before". It is counted where that write's event is published
 * (docs/design.md#observability).
 */
const now = new Date('2027-03-05T12:00:00Z');

/** SES's Email Bounced for a mail to the outlet, as the default bus hands it over. */
const aBounce = (id: string) => ({
  version: '0',
  id,
  'detail-type': 'Email Bounced',
  source: 'aws.ses',
  account: '000000000000',
  time: '2027-03-05T11:59:30Z',
  region: 'us-east-1',
  resources: [],
  detail: {
    eventType: 'Bounce',
    mail: {
      messageId: 'msg-1',
      timestamp: '2027-03-05T11:59:00.000Z',
      destination: ['news@radio.example'],
      tags: { delivery: ['d-1'], 'ses:configuration-set': ['backline'] },
    },
    bounce: {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [{ emailAddress: 'news@radio.example' }],
    },
  },
});

/**
 * The deliverability function handles the bounces, then the publisher publishes what they put in the
 * outbox, twice (a batch the stream mapping retries, the sweep): what the publisher counted (the
 * deliverability function records no metric).
 */
async function suppressionsCounted(bounces: string[], { answerLost }: { answerLost: boolean }) {
  const directory = new InMemoryOutletDirectory();
  directory.outlets.set('out-1', anOutlet({ id: 'out-1', email: 'news@radio.example' }));
  const outlets = {
    findByEmail: directory.findByEmail.bind(directory),
    // Applied, and answered as the SDK's resend of the write was: refused, the address suppressed.
    suppress: async (...args: Parameters<InMemoryOutletDirectory['suppress']>) => {
      const result = await directory.suppress(...args);
      return answerLost ? { ...result, suppressedNow: false } : result;
    },
  };
  const handle = makeHandler({ outlets, deliveries: new FakeDeliveries(), now: () => now });
  for (const id of bounces) await handle(aBounce(id), {} as Context);

  const measure = await publishedTwice(directory.outbox.entries, { writtenAt: now.toISOString(), now });
  return measure.totals('Suppressions');
}

describe('Suppressions', () => {
  it('counts an address whose suppression landed with its answer lost', async () => {
    const counted = await suppressionsCounted(['ev-1'], { answerLost: true });

    expect(counted).toEqual({ bounce: 1 });
  });

  it('counts an address suppressed once, as its write was answered', async () => {
    const counted = await suppressionsCounted(['ev-1'], { answerLost: false });

    expect(counted).toEqual({ bounce: 1 });
  });

  it('counts an address once when SES delivers its bounce again, or bounces it again', async () => {
    const counted = await suppressionsCounted(['ev-1', 'ev-1', 'ev-2'], { answerLost: false });

    expect(counted).toEqual({ bounce: 1 });
  });
});
