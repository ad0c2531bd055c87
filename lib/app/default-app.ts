import { App, Chart, YamlOutputType } from 'cdk8s';

/**
 * The app and chart of the default deployment's output: one file per chart (`<outdir>/clearml.yaml`), no
 * hashes in names. `main.ts` (dist/), the examples and the freshness checks all synthesize through it.
 */
export function defaultApp(outdir: string): { readonly app: App; readonly chart: Chart } {
  const app = new App({ outdir, outputFileExtension: '.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
  return { app, chart: new Chart(app, 'clearml', { disableResourceNameHashes: true }) };
}
