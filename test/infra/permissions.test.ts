import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { streamReadActions } from '#infra/stack.ts';
import { type FunctionSpec, functionEntries, type Permission } from '#infra/topology.ts';
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

const dynamoRead = [
  'dynamodb:BatchGetItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:Query',
  'dynamodb:GetItem',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const dynamoWrite = [
  'dynamodb:BatchWriteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];

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
  const [configurationSetId] = idOf('AWS::SES::ConfigurationSet');
  const secretIds = idOf('AWS::SecretsManager::Secret');
  const [schedulerRoleId] = idOf('AWS::IAM::Role', (props) =>
    JSON.stringify(props.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
  );
  const arn = (service: string, resource: string) =>
    `arn:<AWS::Partition>:${service}:<AWS::Region>:<AWS::AccountId>:${resource}`;
  const table = [`<${tableId}.Arn>`, `<${tableId}.Arn>/index/*`];

  const expectedFor: Record<Permission, string[]> = {
    'table:read': grants(dynamoRead, table),
    'table:write': grants([...dynamoRead, ...dynamoWrite], table),
    'events:put': grants(['events:PutEvents'], [`<${busId}.Arn>`]),
    'ses:send': [
      ...grants(
        ['ses:SendBulkEmail', 'ses:SendEmail'],
        [
          arn('ses', `identity/${devSettings.senderAddress}`),
          arn('ses', `identity/${devSettings.senderAddress.split('@')[1]}`),
          arn('ses', `configuration-set/<${configurationSetId}>`),
          ...mailTemplates.map((mail) => arn('ses', `template/${mail.name}`)),
        ],
      ),
      ...grants(['ses:GetAccount'], ['*']),
    ],
    'schedules:manage': [
      ...grants(
        [
          'scheduler:CreateSchedule',
          'scheduler:UpdateSchedule',
          'scheduler:DeleteSchedule',
          'scheduler:GetSchedule',
        ],
        [arn('scheduler', 'schedule/backline-dev-release-day/*')],
      ),
      ...grants(['iam:PassRole'], [`<${schedulerRoleId}.Arn>`], {
        StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
      }),
    ],
    'secrets:read': grants(
      ['secretsmanager:GetSecretValue'],
      secretIds.map((id) => `<${id}>`),
    ),
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
    const may = new Set<Permission>(spec.may);
    if (may.has('table:write')) may.delete('table:read');
    return [...own, ...onFailure, ...streams, ...[...may].flatMap((permission) => expectedFor[permission])];
  };

  it.each(functionEntries())('gives %s exactly the grants its topology entry names', (name, spec) => {
    const roleId = logicalIdOf(functionsByName[name].Role);

    const actual = grantsOfRole(template, roleId);

    expect(actual.sort()).toEqual(expectedGrants(name, spec).sort());
  });

  it('lets the Scheduler role put events on the Backline bus and do nothing else', () => {
    const role = resourcesOf(template, 'AWS::IAM::Role')[schedulerRoleId];

    const actual = grantsOfRole(template, schedulerRoleId);

    expect([...new Set(actual)]).toEqual([`events:PutEvents on <${busId}.Arn>`]);
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
