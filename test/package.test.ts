import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

const ROOT = path.join(__dirname, '..');

function run(command: string, args: string[], cwd: string): string {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 170_000, env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const installed = (name: string) => JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;

const CONSUMER = `import { App, Chart, ApiObject } from 'cdk8s';
import { ClearmlServer, ClearmlServerProps } from 'cdk8s-clearml';

const app = new App({ outdir: 'out' });
const chart = new Chart(app, 'platform');
new ApiObject(chart, 'settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'platform-settings', namespace: 'default' }, data: { team: 'ml' } });
const props: ClearmlServerProps = { name: 'ml', namespace: 'ml-tracking', fixedUsers: { secretName: 'users' } };
const server = new ClearmlServer(chart, 'clearml', props);
new ApiObject(chart, 'endpoint', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'clearml-endpoint', namespace: 'default' }, data: { api: server.endpoints.apiserver.clusterUrl } });
app.synth();
`;

describe('the npm package', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'clearml-pack-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
  let tarball = '';

  test('npm pack yields compiled JavaScript and type declarations only, with the docs', () => {
    const [{ filename }] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], ROOT).replace(/^[^[]*/s, ''));
    tarball = path.join(work, filename);
    const files = run('tar', ['-tzf', tarball], work).trim().split('\n').map((f) => f.replace(/^package\//, ''));
    const allowed = /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|API\.md|clearml\.example\.yaml|build\/(lib|imports)\/.+\.(js|d\.ts))$/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['build/lib/index.js', 'build/lib/index.d.ts', 'build/imports/k8s.js', 'API.md', 'CHANGELOG.md', 'LICENSE']));
    expect(files.some((f) => /(^|\/)(test|examples)\//.test(f))).toBe(false);
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['cdk8s', 'cdk8s-plus-27', 'constructs']);
    for (const peer of Object.keys(manifest.peerDependencies)) expect(manifest.dependencies[peer]).toBeUndefined();
  });

  test('installed into a fresh project, it composes into that project\'s chart next to its own objects, type-checks and synthesizes', () => {
    const project = path.join(work, 'consumer');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball,
      `cdk8s@${installed('cdk8s')}`, `constructs@${installed('constructs')}`, `cdk8s-plus-27@${installed('cdk8s-plus-27')}`], project);
    fs.writeFileSync(path.join(project, 'main.ts'), CONSUMER);
    run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '--strict', '--esModuleInterop', '--skipLibCheck', '--target', 'es2022', '--module', 'commonjs', 'main.ts'], project);
    const out = path.join(project, 'out');
    run(process.execPath, ['main.js'], project);
    const objects = fs.readdirSync(out).flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(out, f), 'utf8')).map((d) => d.toJS()));
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names).toEqual(expect.arrayContaining(['ConfigMap/platform-settings', 'Namespace/ml-tracking', 'Deployment/ml-apiserver', 'ConfigMap/clearml-endpoint']));
    expect(objects.find((o) => o.metadata.name === 'clearml-endpoint').data.api).toBe('http://ml-apiserver.ml-tracking.svc:8008');
  });
});
