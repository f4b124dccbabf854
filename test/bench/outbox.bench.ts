import { ExpenseRecorded } from '#shared/events/index.ts';
import { startCloudProcess } from '#test/support/cloud-process.ts';
import { signedWebhook } from '#test/support/intake.ts';

/**
 * The outbox locally: how long a label waits for intake's 202 (one conditional write, no PutEvents),
 * and how long from that 202 until the event is on the bus (the event source mapping polls DynamoDB
 * Local's stream four times a second, as Lambda polls a DynamoDB stream).
 */
const webhooks = 100;
const cloud = await startCloudProcess();
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))];
try {
  const headers = { authorization: `Bearer ${cloud.apiKey}`, 'content-type': 'application/json' };
  const created = await fetch(`${cloud.urls.http}/labels`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'Bench Records' }),
  });
  const label = (await created.json()) as { id: string; webhookSecret: string };
  const onBus = async (webhookId: string) => {
    const response = await fetch(`${cloud.urls.http}/_local/events?source=backline.intake&limit=50`);
    const { events } = (await response.json()) as {
      events: { detail: { metadata: { webhookId?: string } } }[];
    };
    return events.some((event) => event.detail.metadata.webhookId === webhookId);
  };
  const answered: number[] = [];
  const published: number[] = [];
  for (let i = 0; i < webhooks; i++) {
    const request = signedWebhook(label.webhookSecret, {
      type: 'expense.recorded',
      timestamp: new Date().toISOString(),
      data: { ...ExpenseRecorded.sample, expenseId: `exp-${i}` },
    });
    const sent = performance.now();
    const response = await fetch(`${cloud.urls.http}/webhooks/${label.id}`, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    });
    await response.text();
    const accepted = performance.now();
    if (response.status !== 202) throw new Error(`webhook answered ${response.status}`);
    while (!(await onBus(request.headers['webhook-id'])))
      await new Promise((resolve) => setTimeout(resolve, 5));
    answered.push(accepted - sent);
    published.push(performance.now() - accepted);
  }
  const line = (name: string, values: number[]) =>
    `${name}: median ${percentile(values, 50).toFixed(0)} ms, p95 ${percentile(values, 95).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms`;
  console.log(`${webhooks} webhooks, one at a time`);
  console.log(line('202 answered after', answered));
  console.log(line('event on the bus after the 202', published));
} finally {
  await cloud.stop();
}
