import { EventBridgeClient, PutEventsCommand, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { buildDetail, TourBooked } from '#shared/events/index.ts';
import { api, busEvents, cloud, sdkConfig, uniqueId, waitFor } from '#test/support/cloud.ts';

describe('the local cloud', () => {
  it('answers GET /health with 200 {"status":"ok"} once every part is ready', async () => {
    const response = await fetch(`${cloud().baseUrl}/health`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('refuses a management route without the API key', async () => {
    const response = await api('/labels', {
      method: 'POST',
      json: { name: 'x' },
      headers: { authorization: 'Bearer nope' },
    });

    expect(response.status).toBe(401);
  });

  it('answers 404 for a route the topology does not have', async () => {
    const response = await api('/no-such-route');

    expect(response.status).toBe(404);
  });

  it('routes a PutEvents from the real SDK client to the rule that matches it', async () => {
    const events = new EventBridgeClient(sdkConfig('events'));
    const tourId = uniqueId('tour');

    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'backline',
            Source: 'backline.intake',
            DetailType: 'Tour Booked',
            Detail: JSON.stringify(
              buildDetail(TourBooked, { ...TourBooked.sample, tourId }, { labelId: 'lbl-smoke' }),
            ),
          },
        ],
      }),
    );

    expect(result.FailedEntryCount).toBe(0);
    const record = await waitFor(
      async () =>
        (await busEvents({ detailType: 'Tour Booked' })).find(
          (e) => e.id === result.Entries?.[0].EventId && e.invocations.every((i) => i.status === 'succeeded'),
        ),
      { what: 'the tours function to handle the event' },
    );
    expect(record.invocations.map((i) => i.function)).toEqual(['tours']);
  });

  it('answers TestEventPattern as EventBridge does', async () => {
    const events = new EventBridgeClient(sdkConfig('events'));
    const event = JSON.stringify({
      id: '1',
      account: '000000000000',
      source: 'backline.intake',
      time: '2027-01-01T00:00:00Z',
      region: 'us-east-1',
      resources: [],
      'detail-type': 'Release Scheduled',
      detail: { data: { territories: ['GB', 'DE'] } },
    });

    const matched = await events.send(
      new TestEventPatternCommand({
        EventPattern: '{"detail":{"data":{"territories":["DE"]}}}',
        Event: event,
      }),
    );
    const unmatched = await events.send(
      new TestEventPatternCommand({
        EventPattern: '{"detail":{"data":{"territories":["FR"]}}}',
        Event: event,
      }),
    );

    expect(matched.Result).toBe(true);
    expect(unmatched.Result).toBe(false);
  });
});
