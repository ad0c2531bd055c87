import { ClearmlServer } from './lib';
import { defaultApp } from './lib/app/default-app';
import { outputPlan, prepare, publish } from './lib/app/output';
import { upgradeWarnings } from './lib/app/upgrade-check';
import { withConfigFile } from './lib/config/load';

// The default deployment: the classic single-node layout of the seed manifests, with current images,
// changed by the options of `clearml.yaml` (or the file $CLEARML_CONFIG names) when there is one; see
// clearml.example.yaml. A bad option prints `error: <file>: <option>: <message>` and exits with code 1
// before anything is written. `--check` only checks the configuration.
// The manifests are synthesized into a staging directory and swapped in only when everything succeeded,
// so a failure (with `npm run synth` or `cdk8s synth`) leaves the last good dist/ in place; see lib/app/output.ts.
const plan = outputPlan();
const { app, chart } = defaultApp(plan.synthDir);
withConfigFile((props) => new ClearmlServer(chart, 'server', props));
if (process.argv.includes('--check')) {
  process.stdout.write('configuration is valid: nothing written (npm run synth writes dist/)\n');
} else {
  prepare(plan);
  try {
    app.synth(); // also checks the construct tree, e.g. two installations that clash
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exit(1);
  }
  // Review the version changes against the manifests being replaced, as `clearml-diff` would.
  for (const warning of upgradeWarnings(plan.publishDir, plan.synthDir)) process.stderr.write(`${warning}\n`);
  publish(plan);
}
