// Synthesizes every example of examples/apps.ts into examples/<name>/ (or <outdir>/<name>/ when given).
import * as path from 'path';
import { App, Chart, YamlOutputType } from 'cdk8s';
import { ClearmlServer } from '../lib';
import { EXAMPLES } from '../examples/apps';

const outRoot = process.argv[2] ?? path.join(__dirname, '..', 'examples');
for (const [name, props] of Object.entries(EXAMPLES)) {
  const app = new App({ outdir: path.join(outRoot, name), outputFileExtension: '.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
  new ClearmlServer(new Chart(app, 'clearml', { disableResourceNameHashes: true }), 'server', props);
  app.synth();
}
