import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { secretsOf, tableActionsOf, xrayActions } from '#infra/app-function.ts';
import { streamReadActions } from '#infra/stack.ts';
import { eventSourcesOf, type FunctionSpec, functionEntries } from '#infra/topology.ts';
import { catalogue } from '#shared/events/index.ts';
import { schedulerSource } from '#shared/events/scheduled.ts';
import { mailTemplates } from '#shared/mail/templates.ts';
import { asArray, backline, devSettings, flat, logicalIdOf, resourcesOf } from '#test/support/infra.ts';

/**
 * Every function's role, walked statement by statement, allows exactly what its topology entry's `may`
 * names plus what the AppFunction construct gives every function (docs/design.md#topology): writing to its own log
 * group, and sending to its own on-failure queue when it is event-triggered. A grant is compared as
 * "action on resource [if condition]", so how CDK groups statements does not matter.
 */

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

const grants = (actions: string[], resources: string[], condition?: unknown): string[] =>
  actions.flatMap((action) =>
    resources.map(
      (resource) => `${action} on ${resource}${condition ? ` if ${JSON.stringify(condition)}` : ''}`,
    ),
  );

/** What a role may do: every Allow statement of its inline and attached policies, expanded. */
function grantsOfRole(template: Template, roleId: string): string[] {
  const role = resourcesOf(template, 'AWS::IAM::Role')[roleId];
  expect(role.Properties.ManagedPolicyArns, `${roleId} has no managed policies`).toBeUndefined();
  expect(role.Properties.Policies, `${roleId} has no inline policies`).toBeUndefined();
  const statements = Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((policy) =>
      asArray(policy.Properties.Roles as unknown[]).some((ref) => logicalIdOf(ref) === roleId),
    )
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  return statements.flatMap((statement) => {
    expect(statement.Effect).toBe('Allow');
    return grants(asArray(statement.Action), asArray(statement.Resource).map(flat), statement.Condition);
  });
}

describe('IAM follows the topology and nothing wider', () => {
  const { template } = backline();
  const idOf = (
    type: string,
    predicate: (props: Record<string, unknown>) => boolean = () => true,
  ): string[] =>
    Object.entries(resourcesOf(template, type))
      .filter(([, resource]) => predicate(resource.Properties))
      .map(([id]) => id);
  const [tableId] = idOf('AWS::DynamoDB::Table');
  const [busId] = idOf('AWS::Events::EventBus');
  const configurationSetIds = idOf('AWS::SES::ConfigurationSet');
  const [schedulerRoleId] = idOf('AWS::IAM::Role', (props) =>
    JSON.stringify(props.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
  );
  const arn = (service: string, resource: string) =>
    `arn:<AWS::Partition>:${service}:<AWS::Region>:<AWS::AccountId>:${resource}`;
  const [webhookSecretsKeyId] = idOf('AWS::KMS::Key', (props) =>
    String(props.Description).includes('webhook secrets'),
  );
  const secretIdByName = Object.fromEntries(
    Object.entries(resourcesOf(template, 'AWS::SecretsManager::Secret')).map(([id, secret]) => [
      String(secret.Properties.Name).replace(/^backline-dev\//, ''),
      id,
    ]),
  );
  const tableArn = `<${tableId}.Arn>`;
  const indexes = `<${tableId}.Arn>/index/*`;

  /** The grants a topology entry's `may` stands for, spelled out here independently of app-function.ts. */
  const expectedFor = (may: FunctionSpec['may']): string[] => {
    const table = tableActionsOf(may);
    const onIndexes: string[] = table.filter((action) => action === 'Query' || action === 'Scan');
    const sources = eventSourcesOf(may);
    const keyActions = [
      ...(may.includes('webhook-secrets:decrypt') ? ['kms:Decrypt'] : []),
      ...(may.includes('webhook-secrets:encrypt') ? ['kms:GenerateDataKey'] : []),
    ];
    return [
      ...grants(
        table.filter((action) => !onIndexes.includes(action)).map((action) => `dynamodb:${action}`),
        [tableArn],
      ),
      ...grants(
        onIndexes.map((action) => `dynamodb:${action}`),
        [tableArn, indexes],
      ),
      ...(sources.length > 0
        ? grants(['events:PutEvents'], [`<${busId}.Arn>`], { StringEquals: { 'events:source': sources } })
        : []),
      ...grants(
        ['secretsmanager:GetSecretValue'],
        secretsOf(may).map((name) => `<${secretIdByName[name]}>`),
      ),
      ...grants(keyActions, [`<${webhookSecretsKeyId}.Arn>`], {
        StringEquals: { 'kms:EncryptionContext:purpose': 'webhook-secret' },
      }),
      ...(may.includes('ses:send')
        ? [
            ...grants(
              ['ses:SendBulkEmail', 'ses:SendEmail'],
              [
                arn('ses', `identity/${devSettings.senderAddress}`),
                arn('ses', `identity/${devSettings.senderAddress.split('@')[1]}`),
                ...configurationSetIds.map((id) => arn('ses', `configuration-set/<${id}>`)),
                ...mailTemplates.map((mail) => arn('ses', `template/backline-dev-${mail.name}`)),
              ],
            ),
            ...grants(['ses:GetAccount'], ['*']),
          ]
        : []),
      ...(may.includes('schedules:manage')
        ? [
            ...grants(
              ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
              [arn('scheduler', 'schedule/backline-dev-release-day/*')],
            ),
            ...grants(['iam:PassRole'], [`<${schedulerRoleId}.Arn>`], {
              StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
            }),
          ]
        : []),
    ];
  };

  const functionsByName = Object.fromEntries(
    Object.values(resourcesOf(template, 'AWS::Lambda::Function')).map((fn) => [
      String(fn.Properties.FunctionName).replace(/^backline-dev-/, ''),
      fn.Properties,
    ]),
  );
  const onFailureQueueOf = (functionName: string): string | undefined => {
    const config = Object.entries(resourcesOf(template, 'AWS::Lambda::EventInvokeConfig')).find(
      ([, resource]) =>
        logicalIdOf(resource.Properties.FunctionName) ===
        Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).find(
          ([, fn]) => fn.Properties.FunctionName === `backline-dev-${functionName}`,
        )?.[0],
    )?.[1];
    const destination = (config?.Properties.DestinationConfig as { OnFailure: { Destination: unknown } })
      ?.OnFailure.Destination;
    return destination ? logicalIdOf(destination) : undefined;
  };

  const streamOnFailureQueueOf = (functionName: string): string | undefined => {
    const fnId = Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).find(
      ([, fn]) => fn.Properties.FunctionName === `backline-dev-${functionName}`,
    )?.[0];
    const mapping = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping')).find(
      (resource) => logicalIdOf(resource.Properties.FunctionName) === fnId,
    );
    const destination = (mapping?.Properties.DestinationConfig as { OnFailure: { Destination: unknown } })
      ?.OnFailure.Destination;
    return destination ? logicalIdOf(destination) : undefined;
  };

  const queueIdByName = (queue: string) =>
    Object.entries(resourcesOf(template, 'AWS::SQS::Queue')).find(
      ([, resource]) => resource.Properties.QueueName === `backline-dev-${queue}`,
    )?.[0];

  const expectedGrants = (name: string, spec: FunctionSpec): string[] => {
    const fn = functionsByName[name];
    const logGroupId = logicalIdOf((fn.LoggingConfig as { LogGroup: unknown }).LogGroup);
    const own = grants(['logs:CreateLogStream', 'logs:PutLogEvents'], [`<${logGroupId}.Arn>`]);
    const queueId = onFailureQueueOf(name);
    const onFailure = queueId
      ? grants(['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], [`<${queueId}.Arn>`])
      : [];
    // A stream trigger reads the table's stream, and records a batch it gave up in its own on-failure queue.
    const streams = spec.on.some((trigger) => trigger.kind === 'stream')
      ? [
          ...grants(streamReadActions, [`<${tableId}.StreamArn>`]),
          ...grants(
            ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
            [`<${streamOnFailureQueueOf(name)}.Arn>`],
          ),
        ]
      : [];
    // A queue trigger's event source mapping receives, deletes and hides messages of its queue (queue:consume).
    const queues = spec.on.flatMap((trigger) =>
      trigger.kind === 'queue'
        ? grants(
            [
              'sqs:ReceiveMessage',
              'sqs:ChangeMessageVisibility',
              'sqs:GetQueueUrl',
              'sqs:DeleteMessage',
              'sqs:GetQueueAttributes',
            ],
            [`<${queueIdByName(trigger.queue)}.Arn>`],
          )
        : [],
    );
    const tracing = grants(xrayActions, ['*']);
    return [...own, ...onFailure, ...streams, ...queues, ...tracing, ...expectedFor(spec.may)];
  };

  it.each(functionEntries())('gives %s exactly the grants its topology entry names', (name, spec) => {
    const roleId = logicalIdOf(functionsByName[name].Role);

    const actual = grantsOfRole(template, roleId);

    expect(actual.sort()).toEqual(expectedGrants(name, spec).sort());
  });

  const grantsOf = (name: string) => grantsOfRole(template, logicalIdOf(functionsByName[name].Role));
  const functionNames = functionEntries().map(([name]) => name);

  it("lets only the manager's API functions read the management API key", () => {
    const apiKey = `secretsmanager:GetSecretValue on <${secretIdByName['api-key']}>`;

    const readers = functionNames.filter((name) => grantsOf(name).includes(apiKey));

    expect(readers).toEqual(['management', 'office']);
  });

  it('lets the public recipients function read the token-signing key and no other secret', () => {
    const secretReads = grantsOf('recipients').filter((grant) => grant.startsWith('secretsmanager:'));

    expect(secretReads).toEqual([
      `secretsmanager:GetSecretValue on <${secretIdByName['token-signing-key']}>`,
    ]);
  });

  it.each(['intake', 'recipients'])('lets the public %s function neither Scan nor DeleteItem', (name) => {
    const table = grantsOf(name).filter((grant) => grant.startsWith('dynamodb:'));

    expect(table.length).toBeGreaterThan(0);
    expect(table.filter((grant) => /^dynamodb:(Scan|DeleteItem|BatchWriteItem) /.test(grant))).toEqual([]);
  });

  it('grants no function a DynamoDB wildcard, Scan or DescribeTable, and only the publisher the stream', () => {
    const table = functionNames.flatMap((name) =>
      grantsOf(name)
        .filter((grant) => grant.startsWith('dynamodb:'))
        .map((grant) => ({ name, grant })),
    );

    const wide = table.filter(({ grant }) => /^dynamodb:(\*|Scan|DescribeTable) /.test(grant));
    const streamReaders = table.filter(({ grant }) => /StreamArn>/.test(grant)).map(({ name }) => name);

    expect(wide).toEqual([]);
    expect([...new Set(streamReaders)]).toEqual(['publisher']);
  });

  it('lets only intake and the management function use the webhook-secrets key, and only intake to decrypt', () => {
    const keyGrants = Object.fromEntries(
      functionNames.map((name) => [name, grantsOf(name).filter((grant) => grant.startsWith('kms:'))]),
    );

    const users = functionNames.filter((name) => keyGrants[name].length > 0);

    expect(users.sort()).toEqual(['intake', 'management']);
    expect(keyGrants.intake.map((grant) => grant.split(' ')[0])).toEqual(['kms:Decrypt']);
    expect(keyGrants.management.map((grant) => grant.split(' ')[0]).sort()).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey',
    ]);
  });

  it("allows PutEvents only with an events:source condition naming the function's own backline.<context>", () => {
    const putEvents = functionNames.flatMap((name) =>
      grantsOf(name)
        .filter((grant) => grant.startsWith('events:PutEvents'))
        .map((grant) => ({ name, grant })),
    );

    expect(putEvents.length).toBeGreaterThan(0);
    for (const { name, grant } of putEvents) {
      const condition = /if (.*)$/.exec(grant)?.[1];
      expect(condition, `${name}: ${grant}`).toBeDefined();
      const sources = JSON.parse(condition!).StringEquals['events:source'] as string[];
      expect(sources.length).toBeGreaterThan(0);
      for (const source of sources) expect(source).toMatch(/^backline\.[a-z]+$/);
    }
    const sourcesOf = (name: string) =>
      putEvents
        .filter((put) => put.name === name)
        .flatMap((put) => JSON.parse(/if (.*)$/.exec(put.grant)![1]).StringEquals['events:source']);
    // The publisher puts the outbox's events, on behalf of every context that writes outbox entries; the
    // scheduler's events come from Scheduler itself, so no function may put events with its source.
    const outboxSources = [...new Set(catalogue.flatMap((contract) => contract.sources))]
      .filter((source) => source !== schedulerSource)
      .sort();
    expect(sourcesOf('publisher').sort()).toEqual(outboxSources);
    // A long mailing continues itself with a cursor (no state to write it with); a show's press continues
    // through the outbox (a page marker holds it), so tours puts nothing on the bus.
    expect(sourcesOf('announcer')).toEqual(['backline.announcer']);
    // Settling a withdrawal found sent after its release was given back asks its next round's first
    // mail at once, as the announcer (shared/mail/release-settled.ts).
    expect(sourcesOf('settlement')).toEqual(['backline.announcer']);
    expect(putEvents.map(({ name }) => name).sort()).toEqual(['announcer', 'publisher', 'settlement']);
  });

  it("lets the Scheduler role put events on the Backline bus, send what it could not put to the schedules' dead-letter queue, and do nothing else", () => {
    const role = resourcesOf(template, 'AWS::IAM::Role')[schedulerRoleId];
    const [scheduleDeadLettersId] = idOf('AWS::SQS::Queue', (props) =>
      String(props.QueueName).endsWith('-schedule-dead-letters'),
    );

    const actual = grantsOfRole(template, schedulerRoleId);

    expect(scheduleDeadLettersId).toBeDefined();
    expect([...new Set(actual)].sort()).toEqual(
      [`events:PutEvents on <${busId}.Arn>`, `sqs:SendMessage on <${scheduleDeadLettersId}.Arn>`].sort(),
    );
    expect(role.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ],
    });
  });

  it('has no role but the functions’ roles and the Scheduler role', () => {
    const functionRoles = Object.values(functionsByName).map((fn) => logicalIdOf(fn.Role));

    const roles = Object.keys(resourcesOf(template, 'AWS::IAM::Role'));

    expect(roles.sort()).toEqual([...functionRoles, schedulerRoleId].sort());
  });

  it('attaches every policy in the stack to one of those roles', () => {
    const roles = new Set(Object.keys(resourcesOf(template, 'AWS::IAM::Role')));

    const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy'));

    for (const policy of policies) {
      const attached = asArray(policy.Properties.Roles as unknown[]).map(logicalIdOf);
      expect(attached.length).toBeGreaterThan(0);
      expect(policy.Properties.Users).toBeUndefined();
      expect(policy.Properties.Groups).toBeUndefined();
      for (const roleId of attached) expect(roles.has(roleId)).toBe(true);
    }
  });
});
