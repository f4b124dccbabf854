import { dirname, join } from 'node:path';
import { PT_VERSION } from '@aws-lambda-powertools/commons';
import { AssetHashType, DockerImage, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { type IRole, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type CfnFunction, Code, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';
import type { Config } from '#shared/config.ts';
import { webhookSecretContext } from '#shared/sealing.ts';
import {
  aliases,
  besideBundleImport,
  buildPowertoolsLayer,
  bundling,
  externalModules,
  projectRoot,
} from './bundles.ts';
import { powertoolsLayer } from './settings.ts';
import {
  asyncEventMaxAgeSeconds,
  deadLetterRetentionSeconds,
  eventSourcesOf,
  type FunctionSpec,
  type Permission,
  type SecretName,
  settingsOf,
  type TableAction,
  tableReadActions,
} from './topology.ts';

/** The stack's resources that a topology permission can grant access to. */
export interface GrantableResources {
  table: ITable;
  /** The Backline bus (`events:put` never reaches the default bus). */
  bus: IEventBus;
  /** Release-day schedules live here; `schedules:manage` reaches no other group. */
  releaseDaySchedules: IScheduleGroup;
  /** The role Scheduler assumes to put a schedule's event on the bus (passed by `schedules:manage`). */
  schedulerRole: IRole;
  /** The management API key and the token-signing key, each granted only to the functions naming it. */
  secrets: Record<SecretName, ISecret>;
  /** The KMS key that seals label webhook secrets (envelope encryption). */
  webhookSecretsKey: IKey;
  /** What `ses:send` may send through: the sender's identities, the configuration sets (one per mail stream), the templates. */
  mail: { identityArns: string[]; configurationSetArns: string[]; templateArns: string[] };
}

export interface AppFunctionProps {
  /** The topology's name of the function (`announcer`); the deployed name is `backline-<stage>-<name>`. */
  name: string;
  spec: FunctionSpec;
  stage: string;
  /** Every key of shared/config.ts, so that `config()` succeeds at start. */
  environment: Record<keyof Config, string>;
  resources: GrantableResources;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/** The command CDK runs after esbuild on a function's bundle in `outputDir`: its map keeps the project's own files. */
export const ownSourceMapCommand = (outputDir: string) =>
  [process.execPath, join(projectRoot, 'infra', 'source-maps.ts'), join(outputDir, 'index.mjs.map')]
    .map((part) => JSON.stringify(part))
    .join(' ');

/** The commands CDK runs after esbuild to copy the files a function ships beside its bundle (`besideBundle`). */
export const besideBundleCommands = (spec: FunctionSpec, inputDir: string, outputDir: string) =>
  (spec.besideBundle ?? []).map((file) =>
    ['cp', '-L', join(inputDir, dirname(spec.entry), file), join(outputDir, file)]
      .map((part) => JSON.stringify(part))
      .join(' '),
  );

/** What every name the stack gives on AWS starts with; its own bus is named so. */
export const deployedName = (stage: string) => `backline-${stage}`;

/** A topology function's name on AWS; the redrive command finds the deployed function by it. */
export const deployedFunctionName = (stage: string, name: string) => `${deployedName(stage)}-${name}`;

/** A queue trigger's queue name on AWS, as the stack names it; the redrive command finds the queue by it. */
export const deployedQueueName = (stage: string, queue: string) => `${deployedName(stage)}-${queue}`;

/** A recurring schedule's name on AWS, as the stack names it; the redrive command reads it back from a dead letter. */
export const deployedScheduleName = (stage: string, schedule: string) => `${deployedName(stage)}-${schedule}`;

/** The one-time schedules' dead-letter queue (docs/design.md#schedules), by its deployed name's suffix. */
export const scheduleDeadLettersQueue = 'schedule-dead-letters';

/** Actions that `schedules:manage` allows, on schedules in the release-day group only. */
export const scheduleActions = [
  'scheduler:CreateSchedule',
  'scheduler:UpdateSchedule',
  'scheduler:DeleteSchedule',
];

export const sendActions = ['ses:SendBulkEmail', 'ses:SendEmail'];

/**
 * One topology entry as a Lambda function: Node.js 24 on arm64, a minified ESM bundle with source maps,
 * its own log group, the configuration as environment, and IAM grants from the entry's `may` and nothing
 * wider. An event-triggered function also gets Lambda's asynchronous retries and an on-failure queue
 * (docs/design.md#failures-and-retries): EventBridge invokes asynchronously, so a handler that throws is retried by Lambda,
 * then recorded in `onFailure` with its error.
 */
export class AppFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** Invocations that failed every asynchronous retry; only for event-triggered functions. */
  readonly onFailure?: Queue;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    const { spec, resources } = props;
    const functionName = deployedFunctionName(props.stage, props.name);

    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    // Our own role instead of AWSLambdaBasicExecutionRole (which may write to every log group).
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Backline ${props.name} (${props.stage}): ${spec.may.join(', ') || 'no grants'}`,
    });
    this.logGroup.grantWrite(this.role);

    const settings = settingsOf(spec);
    const eventTriggered = spec.on.some((trigger) => trigger.kind === 'event');
    if (eventTriggered) this.onFailure = deadLetterQueue(this, 'OnFailure');

    this.function = new NodejsFunction(this, 'Function', {
      functionName,
      description: spec.description,
      entry: join(projectRoot, spec.entry),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: settings.memoryMb,
      timeout: Duration.seconds(settings.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        ...props.environment,
        NODE_OPTIONS: bundling.nodeOptions,
      },
      // The settings test/infra/bundles.test.ts checks each bundle with (see docs/design.md#bundles).
      bundling: {
        format: OutputFormat.ESM,
        target: bundling.target,
        minify: bundling.minify,
        sourceMap: bundling.sourceMap,
        sourcesContent: false,
        // The map trimmed to the project's own files (see `bundling.sourceMap` in infra/bundles.ts), and
        // the files the function ships beside its bundle.
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [
            ownSourceMapCommand(outputDir),
            ...besideBundleCommands(spec, inputDir, outputDir),
          ],
        },
        mainFields: [...bundling.mainFields],
        // The SDK versions the lock file pins, not whichever the runtime happens to ship.
        bundleAwsSDK: true,
        // Left out: what Lambda never loads, and the Powertools modules the layer below provides.
        externalModules: [...externalModules, ...(spec.besideBundle ?? []).map(besideBundleImport)],
        banner: bundling.banner,
        // esbuild runs in the project root, where the aliases' paths start.
        esbuildArgs: {
          '--alias': Object.entries(aliases).map(([from, to]) => `${from}=${to}`),
          '--drop-labels': bundling.dropLabels.join(','),
          '--legal-comments': bundling.legalComments,
        },
      },
      layers: [powertoolsLayerOf(this)],
      ...(this.onFailure && {
        retryAttempts: settings.retryAttempts,
        maxEventAge: Duration.seconds(asyncEventMaxAgeSeconds),
        onFailure: new SqsDestination(this.onFailure),
      }),
    });

    grantAll(spec.may, this, resources);
    this.traceWithXRay();
  }

  /**
   * Active X-Ray tracing: Lambda records a segment per invocation (see docs/design.md#observability for
   * why no tracer runs inside the function). Its grant gets a policy of its own,
   * so that acknowledging its "*" cannot hide another "*" in the role's default policy.
   */
  private traceWithXRay(): void {
    (this.function.node.defaultChild as CfnFunction).tracingConfig = { mode: 'Active' };
    const xray = new Policy(this, 'XRay', {
      roles: [this.role],
      statements: [new PolicyStatement({ actions: xrayActions, resources: ['*'] })],
    });
    this.function.node.addDependency(xray);
    Validations.of(xray).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'This policy holds only xray:PutTraceSegments and xray:PutTelemetryRecords, which have no resource type: IAM accepts no narrower resource than "*".',
    });
  }
}

/**
 * The stack's Powertools layer, one per stack: the module `buildPowertoolsLayer` bundles from the
 * Powertools the lock file installs, built by esbuild at synth like the functions (CDK's local
 * bundling; no Docker) and published as a layer version of its own. Its hash is the built file's,
 * so a new layer version is published only when what it holds changes (see docs/design.md#bundles).
 */
export function powertoolsLayerOf(scope: Construct): LayerVersion {
  const stack = Stack.of(scope);
  const id = 'PowertoolsLayer';
  const existing = stack.node.tryFindChild(id) as LayerVersion | undefined;
  if (existing) return existing;
  return new LayerVersion(stack, id, {
    description: `Powertools ${PT_VERSION} logger and metrics as ${powertoolsLayer.module}, one minified ESM module`,
    compatibleRuntimes: [Runtime.NODEJS_24_X],
    compatibleArchitectures: [Architecture.ARM_64],
    code: Code.fromAsset(projectRoot, {
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        local: {
          tryBundle(outputDir) {
            buildPowertoolsLayer(outputDir);
            return true;
          },
        },
        // Never used: the local build always answers (esbuild is a dependency of the synth, as for the functions).
        image: DockerImage.fromRegistry('scratch'),
      },
    }),
  });
}

/** What a function needs to send its traces to X-Ray. */
export const xrayActions = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

const tableIndexesReason =
  "<table>/index/* names the Backline table's own global secondary indexes (gsi1, gsi2), which Query needs; it reaches no other table.";

/** The DynamoDB actions a function's `table:` permissions name (`table:read` is GetItem, Query, BatchGetItem). */
export function tableActionsOf(may: readonly Permission[]): TableAction[] {
  const actions = may.flatMap((permission): TableAction[] => {
    if (permission === 'table:read') return tableReadActions;
    return permission.startsWith('table:') ? [permission.slice('table:'.length) as TableAction] : [];
  });
  return [...new Set(actions)];
}

/** The named secrets a function may read. */
export const secretsOf = (may: readonly Permission[]): SecretName[] =>
  may.flatMap((permission) =>
    permission.startsWith('secrets:read:') ? [permission.slice('secrets:read:'.length) as SecretName] : [],
  );

/** Actions that only make sense on the table's indexes as well as on the table. */
const indexActions = new Set<TableAction>(['Query', 'Scan']);

/** The narrowest IAM grants for a topology entry's permissions. */
function grantAll(may: readonly Permission[], fn: AppFunction, resources: GrantableResources): void {
  const { role } = fn;
  const table = tableActionsOf(may);
  if (table.length > 0) {
    const onTable = table.filter((action) => !indexActions.has(action));
    const onIndexes = table.filter((action) => indexActions.has(action));
    if (onTable.length > 0) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: onTable.map((action) => `dynamodb:${action}`),
          resources: [resources.table.tableArn],
        }),
      );
    }
    if (onIndexes.length > 0) {
      const indexes = `${resources.table.tableArn}/index/*`;
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: onIndexes.map((action) => `dynamodb:${action}`),
          resources: [resources.table.tableArn, indexes],
        }),
      );
      acknowledgeWildcard(role, indexes, tableIndexesReason);
    }
  }
  const sources = eventSourcesOf(may);
  if (sources.length > 0) {
    // IAM's events:source condition: a function can put only the events of its own context on the bus.
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [resources.bus.eventBusArn],
        conditions: { StringEquals: { 'events:source': sources } },
      }),
    );
  }
  const secrets = secretsOf(may);
  if (secrets.length > 0) {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: secrets.map((name) => resources.secrets[name].secretArn),
      }),
    );
  }
  const keyActions = [
    ...(may.includes('webhook-secrets:decrypt') ? ['kms:Decrypt'] : []),
    ...(may.includes('webhook-secrets:encrypt') ? ['kms:GenerateDataKey'] : []),
  ];
  if (keyActions.length > 0) {
    // Only for webhook secrets: the encryption context every sealed secret carries (see docs/design.md#secrets).
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: keyActions,
        resources: [resources.webhookSecretsKey.keyArn],
        conditions: {
          StringEquals: { 'kms:EncryptionContext:purpose': webhookSecretContext.purpose },
        },
      }),
    );
  }
  if (may.includes('ses:send')) grantSend(fn, resources);
  if (may.includes('schedules:manage')) grantSchedules(role, resources);
}

function grantSend(fn: AppFunction, resources: GrantableResources): void {
  const { role } = fn;
  const { identityArns, configurationSetArns, templateArns } = resources.mail;
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: sendActions,
      resources: [...identityArns, ...configurationSetArns, ...templateArns],
    }),
  );
  // SES v2 GetAccount (the send rate, see docs/design.md#send-rate) has no resource type: IAM accepts only "*". It gets a
  // policy of its own, so that acknowledging its "*" cannot hide another "*" in the role's default policy.
  const getAccount = new Policy(fn, 'SesGetAccount', {
    roles: [role],
    statements: [new PolicyStatement({ actions: ['ses:GetAccount'], resources: ['*'] })],
  });
  fn.function.node.addDependency(getAccount);
  Validations.of(getAccount).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'This policy holds only ses:GetAccount (the account send rate and quota, docs/design.md#send-rate), which has no resource type: IAM accepts no narrower resource than "*".',
  });
}

function grantSchedules(role: IRole, resources: GrantableResources): void {
  const releaseDaySchedules = Stack.of(role).formatArn({
    service: 'scheduler',
    resource: 'schedule',
    resourceName: `${resources.releaseDaySchedules.scheduleGroupName}/*`,
  });
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: scheduleActions, resources: [releaseDaySchedules] }),
  );
  acknowledgeWildcard(
    role,
    releaseDaySchedules,
    'Release-day schedules are created at run time, one per release (release-day- and a hash of the label and release ids, see docs/design.md#unambiguous-keys), so their names are unknown at deploy time; the wildcard stays inside the release-day schedule group, which holds nothing else.',
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [resources.schedulerRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    }),
  );
}

/**
 * Acknowledges cdk-nag's AwsSolutions-IAM5 finding for exactly this wildcard resource on this role (cdk-nag 3
 * names each finding after the resource, flattened as it flattens it), so any other wildcard stays an error.
 */
function acknowledgeWildcard(role: IRole, resource: string, reason: string): void {
  const flat = flattenCfnReference(Stack.of(role).resolve(resource));
  Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
}

/** An encrypted, TLS-only queue that keeps failed events for the 14 days SQS allows at most (deadLetterRetentionSeconds). */
export function deadLetterQueue(scope: Construct, id: string, props: { queueName?: string } = {}): Queue {
  const queue = new Queue(scope, id, {
    ...props,
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.seconds(deadLetterRetentionSeconds),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself a dead-letter queue (of an EventBridge rule target or a Lambda on-failure destination); an operator inspects and redrives its messages.',
  });
  return queue;
}
