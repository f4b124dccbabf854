import { describe, expect, it } from 'vitest';
import { secretsOf, tableActionsOf } from '#infra/app-function.ts';
import { functionEntries } from '#infra/topology.ts';
import {
  dynamoActionsOf,
  namesImportedFrom,
  reachableModules,
  transactionItemActionsIn,
} from '#test/support/imports.ts';

/**
 * Each function's topology grants against its code, read statically: the DynamoDB commands that the modules
 * reachable from its entry import, the item actions of the transaction items any of them builds (IAM
 * authorizes a TransactWriteItems item by item; an item is read where its literal is written, `{ Put: ... }`,
 * `{ ConditionCheck: ... }`, whichever module's transaction sends it: `writeWithOutbox` sends items built
 * in the stores), the secrets it reads, and the other services it calls (SES, Scheduler, KMS, EventBridge).
 * A function that starts calling an action it was not granted fails here, not with AccessDenied on AWS;
 * a grant its code no longer uses fails here too.
 */
describe('each function is granted exactly what its code calls', () => {
  it.each(functionEntries())('grants %s the DynamoDB actions its modules call, and no others', (_, spec) => {
    const used = dynamoActionsOf(spec.entry);

    const granted = tableActionsOf(spec.may).sort();

    expect(granted).toEqual(used);
  });

  const secretReaders: Record<string, string> = { apiKey: 'api-key', tokenSigningKey: 'token-signing-key' };

  it.each(functionEntries())('grants %s the secrets its modules read, and no others', (_, spec) => {
    const read = namesImportedFrom(spec.entry, 'shared/secrets.ts').map((name) => secretReaders[name]);

    const granted = secretsOf(spec.may).sort();

    expect(granted).toEqual(read.sort());
  });

  it.each(functionEntries())(
    'grants %s sending mail, release-day schedules, the webhook-secrets key and PutEvents exactly as its modules use them',
    (_, spec) => {
      // What reaching each module, or importing each of its sealers, needs on AWS: SES's send and
      // GetAccount (shared/mail/ses.ts), Scheduler's writes and passing its role (shared/scheduler.ts),
      // KMS Decrypt for an opener and GenerateDataKey too for a sealer (shared/kms.ts), PutEvents
      // (shared/events/publish.ts; the sources it may put are held at run time by the local bus, see
      // docs/design.md#topology).
      const modules = reachableModules(spec.entry);
      const keys = namesImportedFrom(spec.entry, 'shared/kms.ts');
      const used = [
        ...(modules.includes('shared/mail/ses.ts') ? ['ses:send'] : []),
        ...(modules.includes('shared/scheduler.ts') ? ['schedules:manage'] : []),
        ...(keys.length > 0 ? ['webhook-secrets:decrypt'] : []),
        ...(keys.includes('webhookSecretSealer') ? ['webhook-secrets:encrypt'] : []),
        ...(modules.includes('shared/events/publish.ts') ? ['events:put'] : []),
      ];

      const granted = spec.may.flatMap((permission) => {
        if (permission.startsWith('events:put:')) return ['events:put'];
        return [
          'ses:send',
          'schedules:manage',
          'webhook-secrets:decrypt',
          'webhook-secrets:encrypt',
        ].includes(permission)
          ? [permission]
          : [];
      });

      expect([...new Set(granted)].sort()).toEqual(used.sort());
    },
  );

  it('reads the item actions of a transaction, which IAM authorizes one by one', () => {
    const actions = dynamoActionsOf('shared/db/outlet-changes.ts');

    expect(actions).toEqual(expect.arrayContaining(['DeleteItem', 'PutItem', 'UpdateItem']));
  });

  it('reads a transaction item written with a key and value or as a shorthand property', () => {
    const source = `
      const Put = { TableName, Item };
      await send(new TransactWriteCommand({ TransactItems: [{ Put }, { Update: update }, { ConditionCheck, Delete }] }));
    `;

    expect(transactionItemActionsIn(source)).toEqual([
      'ConditionCheckItem',
      'DeleteItem',
      'PutItem',
      'UpdateItem',
    ]);
  });

  it("keeps the ConditionCheckItem of the budgets' cross-budget ledger transaction out of the office function, which writes no ledger", () => {
    const specOf = (name: string) => functionEntries().find(([entry]) => entry === name)![1];
    const office = specOf('office');
    const budgets = specOf('budgets');

    expect(dynamoActionsOf(office.entry)).not.toContain('ConditionCheckItem');
    expect(tableActionsOf(office.may)).not.toContain('ConditionCheckItem');
    expect(dynamoActionsOf(budgets.entry)).toContain('ConditionCheckItem');
    expect(tableActionsOf(budgets.may)).toContain('ConditionCheckItem');
  });

  it("keeps the ConditionCheckItem of the press steps' notes, written as read, in the tours function alone", () => {
    const specOf = (name: string) => functionEntries().find(([entry]) => entry === name)![1];

    for (const name of ['office', 'recipients']) {
      expect(dynamoActionsOf(specOf(name).entry)).not.toContain('ConditionCheckItem');
      expect(tableActionsOf(specOf(name).may)).not.toContain('ConditionCheckItem');
    }
    expect(dynamoActionsOf('shared/db/press-notes.ts')).toContain('ConditionCheckItem');
    expect(tableActionsOf(specOf('tours').may)).toContain('ConditionCheckItem');
  });

  it('keeps the public intake function to the GetItem and PutItem of recording a webhook', () => {
    const actions = dynamoActionsOf('functions/intake/handler.ts');

    expect(actions).toEqual(['GetItem', 'PutItem']);
  });

  it('keeps the DeleteItem of moving and deleting outlets out of reach of the public recipients function', () => {
    const actions = dynamoActionsOf('functions/recipients/handler.ts');

    expect(actions).not.toContain('DeleteItem');
    expect(actions).not.toContain('Scan');
  });
});
