import { Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { backline, synthBackline } from '#test/support/infra.ts';

/** Every acknowledgment in the tree: where, which finding, and why. */
function acknowledgments(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

const violationsOf = (root: IConstruct) =>
  new AwsSolutionsChecks().validateScope(root).violations.map((violation) => ({
    rule: violation.ruleName,
    at: violation.violatingResources.map((resource) => resource.constructPath),
  }));

describe('cdk-nag AwsSolutions', () => {
  it.each(['dev', 'prod'])('finds nothing unacknowledged in the %s stack', (stage) => {
    const { app } = backline(stage === 'dev' ? {} : { stage, senderAddress: 'press@label.example' });

    const violations = violationsOf(app);

    expect(violations).toEqual([]);
  });

  it('acknowledges only these findings, each with a reason a reviewer can check', () => {
    const { stack, template } = backline();
    const [tableId] = Object.keys(template.findResources('AWS::DynamoDB::Table'));

    const found = acknowledgments(stack);

    expect([...new Set(found.map((ack) => ack.id))].sort()).toEqual(
      [
        'AwsSolutions-APIG4',
        'AwsSolutions-IAM5[Resource::*]',
        `AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/backline-dev-release-day/*]',
        'AwsSolutions-SMG4',
        'AwsSolutions-SQS3',
      ].sort(),
    );
    for (const ack of found) expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThan(80);
    // GetAccount's and X-Ray's "*" are acknowledged on their own one-statement policies, never on a role's default policy.
    for (const ack of found.filter((a) => a.id === 'AwsSolutions-IAM5[Resource::*]')) {
      expect(ack.path).toMatch(/\/(SesGetAccount|XRay)$/);
    }
  });

  it('still reports a wildcard that no acknowledgment covers', () => {
    const { app, stack } = synthBackline();
    stack.functions.announcer.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['dynamodb:*'], resources: ['*'] }),
    );

    const violations = violationsOf(app);

    expect(violations.map((violation) => violation.rule).sort()).toEqual([
      'AwsSolutions-IAM5[Action::dynamodb:*]',
      'AwsSolutions-IAM5[Resource::*]',
    ]);
  });
});
