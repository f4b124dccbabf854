import { afterEach, describe, expect, it } from 'vitest';
import { ExpenseRecorded } from '#shared/events/index.ts';
import {
  api,
  armFault,
  clearFaults,
  clockNow,
  cloud,
  faultsReport,
  firedSince,
  uniqueId,
} from '#test/support/cloud.ts';
import { signedWebhook } from '#test/support/intake.ts';

afterEach(clearFaults);

/**
 * docs/design.md#failures-and-retries: the label's put is applied and answered 500
 * (dynamodb.accept-then-fail); the SDK sends it again, and the item the first try stored refuses it
 * (an id taken, a version passed). Read as another writer's, that refusal answered 409 to a label
 * created, or to a secret rotated in: the new secret, shown only in that answer, was never shown, and
 * the label's senders were left without the secret that verifies its webhooks.
 */
describe("a label's write whose answer was lost", () => {
  // Aimed at the label's own item (LABEL#<id>), so that no other write on the shared cloud takes it.
  const lostAnswer = (id: string) => `dynamodb.accept-then-fail:PutItem.${id}`;
  const acceptsWebhooksSignedWith = async (labelId: string, secret: string) => {
    const request = await signedWebhook(
      secret,
      {
        type: 'expense.recorded',
        timestamp: new Date().toISOString(),
        data: { ...ExpenseRecorded.sample, expenseId: uniqueId('exp') },
      },
      { at: await clockNow() },
    );
    const response = await fetch(`${cloud().baseUrl}/webhooks/${labelId}`, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    });
    return response.status;
  };

  it('creates the label and shows its secret', async () => {
    const id = uniqueId('label');
    const before = await faultsReport();
    await armFault(lostAnswer(id));

    const response = await api('/labels', { method: 'POST', json: { name: 'Nightshift Records', id } });

    expect((await firedSince(before))[lostAnswer(id)]).toBe(1);
    expect(response.status).toBe(201);
    const { webhookSecret } = (await response.json()) as { webhookSecret: string };
    expect(await acceptsWebhooksSignedWith(id, webhookSecret)).toBe(202);
  });

  it('rotates the secret in and shows it', async () => {
    const id = uniqueId('label');
    expect((await api('/labels', { method: 'POST', json: { name: 'Nightshift Records', id } })).status).toBe(
      201,
    );
    const before = await faultsReport();
    await armFault(lostAnswer(id));

    const rotation = await api(`/labels/${id}/secrets/rotate`, { method: 'POST' });

    expect((await firedSince(before))[lostAnswer(id)]).toBe(1);
    expect(rotation.status).toBe(201);
    const { webhookSecret } = (await rotation.json()) as { webhookSecret: string };
    const shown = await api(`/labels/${id}`);
    expect(((await shown.json()) as { secrets: unknown[] }).secrets).toHaveLength(2);
    expect(await acceptsWebhooksSignedWith(id, webhookSecret)).toBe(202);
  });
});
