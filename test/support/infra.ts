import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Settings } from '#infra/settings.ts';
import { BacklineStack } from '#infra/stack.ts';
import type { MailTemplate } from '#shared/mail/templates.ts';
import { mailTemplates } from '#shared/mail/templates.ts';

export const devSettings: Settings = {
  stage: 'dev',
  senderAddress: 'press@backline.example',
  managerTimeZone: 'America/New_York',
};

export interface Synthesized {
  app: App;
  stack: BacklineStack;
  template: Template;
}

/** The context `cdk synth` reads from cdk.json: the feature flags the project runs with. */
export const cdkContext = JSON.parse(
  readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'),
).context;

/**
 * The Backline stack as `cdk synth` builds it, minus esbuild: `aws:cdk:bundling-stacks: []` makes
 * NodejsFunction skip bundling (the entries must still exist), so a synth takes about a second.
 */
export function synthBackline(
  settings: Partial<Settings> = {},
  templates: readonly MailTemplate[] = mailTemplates,
): Synthesized {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const all = { ...devSettings, ...settings };
  const stack = new BacklineStack(app, `Backline-${all.stage}`, { settings: all, mailTemplates: templates });
  return { app, stack, template: Template.fromStack(stack) };
}

const cache = new Map<string, Synthesized>();

/** One synth per settings for the whole test file. */
export function backline(settings: Partial<Settings> = {}): Synthesized {
  const key = JSON.stringify(settings);
  let synthesized = cache.get(key);
  if (!synthesized) {
    synthesized = synthBackline(settings);
    cache.set(key, synthesized);
  }
  return synthesized;
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

export const resourcesOf = (template: Template, type: string): Resources =>
  template.findResources(type) as Resources;

/**
 * A CloudFormation reference as one readable string, the way cdk-nag names findings:
 * `{"Fn::GetAtt":["Table","Arn"]}` -> `<Table.Arn>`, `{"Ref":"AWS::Region"}` -> `<AWS::Region>`, joins joined.
 */
export function flat(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if ('Ref' in node) return `<${node.Ref}>`;
    if ('Fn::GetAtt' in node) {
      const [resource, attribute] = node['Fn::GetAtt'] as [string, string];
      return `<${resource}.${attribute}>`;
    }
    if ('Fn::Join' in node) {
      const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
      return parts.map(flat).join(delimiter);
    }
  }
  return JSON.stringify(value);
}

/** The logical id behind `{"Ref": id}` or `{"Fn::GetAtt": [id, ...]}`. */
export function logicalIdOf(reference: unknown): string {
  const node = reference as Record<string, unknown>;
  if (typeof node?.Ref === 'string') return node.Ref;
  if (Array.isArray(node?.['Fn::GetAtt'])) return node['Fn::GetAtt'][0] as string;
  throw new Error(`not a reference: ${JSON.stringify(reference)}`);
}

export const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
