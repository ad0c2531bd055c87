import { App, Chart, YamlOutputType } from 'cdk8s';
import { ClearmlServer } from './lib';

// The default deployment: the classic single-node layout of the seed manifests, with current images.
const app = new App({ outputFileExtension: '.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
const chart = new Chart(app, 'clearml', { disableResourceNameHashes: true });
new ClearmlServer(chart, 'server');
app.synth();
