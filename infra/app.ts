import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mailTemplates } from '#shared/mail/templates.ts';
import { readSettings } from './settings.ts';
import { BacklineStack } from './stack.ts';

/** CDK entry: `npm exec -- cdk synth` / `cdk deploy -c stage=prod -c senderAddress=press@label.example`. */
const app = new App();
const settings = readSettings((key) => app.node.tryGetContext(key));

new BacklineStack(app, `Backline-${settings.stage}`, {
  settings,
  mailTemplates,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'Backline: the back office of a music production manager',
});

// cdk-nag 3 runs as a policy-validation plugin: any unacknowledged finding stops the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
