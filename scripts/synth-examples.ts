// Synthesizes every example of examples/apps.ts into examples/<name>/ (or <outdir>/<name>/ when given).
import * as path from 'path';
import { ClearmlServer } from '../lib';
import { defaultApp } from '../lib/app/default-app';
import { EXAMPLES } from '../examples/apps';

const outRoot = process.argv[2] ?? path.join(__dirname, '..', 'examples');
for (const [name, props] of Object.entries(EXAMPLES)) {
  const { app, chart } = defaultApp(path.join(outRoot, name));
  new ClearmlServer(chart, 'server', props);
  app.synth();
}
