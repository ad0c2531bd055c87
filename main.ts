import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, YamlOutputType } from 'cdk8s';
import { ClearmlServer } from './lib';
import { withConfigFile } from './lib/config/load';

// The default deployment: the classic single-node layout of the seed manifests, with current images,
// changed by the options of `clearml.yaml` (or the file $CLEARML_CONFIG names) when there is one; see
// clearml.example.yaml. A bad option prints `error: <file>: <option>: <message>` and exits with code 1
// before anything is written. `--check` only checks the configuration.
const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
// Synthesize next to the output and swap it in only when everything succeeded, so a failure never
// leaves a partial or empty dist/ behind.
const staging = path.join(path.dirname(outdir), `.${path.basename(outdir)}.synth`);
const app = new App({ outdir: staging, outputFileExtension: '.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
const chart = new Chart(app, 'clearml', { disableResourceNameHashes: true });
withConfigFile((props) => new ClearmlServer(chart, 'server', props));
if (!process.argv.includes('--check')) {
  fs.rmSync(staging, { recursive: true, force: true });
  app.synth();
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.renameSync(staging, outdir);
}
