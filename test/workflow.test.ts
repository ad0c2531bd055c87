/**
 * The user's workflow, run as a user runs it, in a temporary copy of the project: copy the example to
 * clearml.yaml, change it, synth with `npm run synth` or the stock `cdk8s synth`, and the project's own
 * dist/ check still passes; a bad configuration leaves the last good dist/ in place; the copied example
 * survives every switch the documentation describes.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments, parseDocument } from 'yaml';
import { runDefaultApp } from './support/app-run';
import { distDifferences } from './support/dist-check';

const ROOT = path.resolve(__dirname, '..');
const COPIED = ['main.ts', 'lib', 'imports', 'scripts', 'examples', 'dist', 'cdk8s.yaml', 'package.json', 'tsconfig.json', 'clearml.example.yaml'];

let project = '';
beforeAll(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'clearml-workflow-'));
  for (const entry of COPIED) fs.cpSync(path.join(ROOT, entry), path.join(project, entry), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
});
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(command, args, { cwd: project, encoding: 'utf8', timeout: 60_000, env: { ...process.env, npm_config_update_notifier: 'false', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const cdk8sSynth = (env: NodeJS.ProcessEnv = {}) => run(path.join(project, 'node_modules', '.bin', 'cdk8s'), ['synth', '--check-upgrade=false'], env);
const distText = () => fs.readFileSync(path.join(project, 'dist', 'clearml.yaml'), 'utf8');
const distObjects = () => parseAllDocuments(distText()).map((d) => d.toJS());

/** The example file with these options set (the user's edit of the active lines; comments stay). */
function editedExample(options: Record<string, unknown>): string {
  const doc = parseDocument(fs.readFileSync(path.join(project, 'clearml.example.yaml'), 'utf8'));
  for (const [option, value] of Object.entries(options)) doc.setIn(option.split('.'), value);
  return doc.toString();
}

describe('the user\'s own clearml.yaml', () => {
  test('a changed copy of the example: the dist/ check fails until `npm run synth`, then passes', () => {
    fs.writeFileSync(path.join(project, 'clearml.yaml'), editedExample({ namespace: 'ml-team', 'webserver.replicas': 1, 'mongo.storage.size': '60Gi' }));
    expect(distDifferences(project)).toEqual(['dist/clearml.yaml differs from a fresh synth']);
    const r = run('npm', ['run', '--silent', 'synth']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    expect(distDifferences(project)).toEqual([]);
    expect(distObjects().find((o) => o.kind === 'Namespace' && o.metadata.name === 'ml-team')).toBeDefined();
  });

  test('stock `cdk8s synth` with a bad configuration fails and leaves the last good dist/ in place; a good one replaces it', () => {
    const good = distText();
    fs.writeFileSync(path.join(project, 'bad.yaml'), 'mongo:\n  storage:\n    size: 50GB\n');
    const bad = cdk8sSynth({ CLEARML_CONFIG: 'bad.yaml' });
    expect(bad.stderr).toContain('error: bad.yaml: mongo.storage.size: "50GB" is not a Kubernetes quantity (try "50Gi")');
    expect(bad.status).not.toBe(0);
    expect(fs.readdirSync(path.join(project, 'dist'))).toEqual(['clearml.yaml']);
    expect(distText()).toBe(good);

    fs.writeFileSync(path.join(project, 'other.yaml'), 'namespace: ml-other\n');
    const ok = cdk8sSynth({ CLEARML_CONFIG: 'other.yaml' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('.dist.synth/clearml.yaml');
    expect(distText()).not.toBe(good);
    expect(distObjects().find((o) => o.kind === 'Namespace' && o.metadata.name === 'ml-other')).toBeDefined();
    expect(fs.readdirSync(project).filter((f) => /^\.dist\.(new|old)$/.test(f))).toEqual([]);
  });
});

// Each switch the documentation describes, applied to a copy of the example as a user edits it.
const SWITCHES: Array<[string, Record<string, unknown>]> = [
  ['exposure Ingress with a domain', { 'exposure.type': 'Ingress', domain: 'clearml.example.com' }],
  ['exposure Ingress with TLS and hosts', { 'exposure.type': 'Ingress', 'exposure.ingress': { tlsSecretName: 'tls', hosts: { app: 'a.example.com', api: 'b.example.com', files: 'c.example.com' } } }],
  ['exposure LoadBalancer', { 'exposure.type': 'LoadBalancer', 'exposure.serviceAnnotations': { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' } }],
  ['other NodePorts', { 'apiserver.nodePort': 31008, 'webserver.nodePort': 31080, 'fileserver.nodePort': 31081 }],
  ['defaultStorage claim', { 'defaultStorage.type': 'claim', 'defaultStorage.storageClassName': 'fast-ssd' }],
  ['claims, two API servers and ReadWriteMany files', { 'defaultStorage.type': 'claim', 'apiserver.replicas': 2, 'fileserver.storage': { type: 'claim', accessModes: ['ReadWriteMany'] } }],
  ['Elasticsearch cluster on claims', { 'defaultStorage.type': 'claim', 'elasticsearch.replicas': 3 }],
  ['HTTPS behind a load balancer', { https: true, domain: 'clearml.example.com' }],
  ['fixed users', { fixedUsers: { secretName: 'clearml-users', passwordsHashed: true } }],
  ['network policies off, host preparation off', { 'networkPolicies.enabled': false, 'hostPreparation.enabled': false }],
  ['another installation beside the first', { name: 'team-b', namespace: 'clearml-team-b', nodeStorageRoot: '/opt/clearml-team-b', 'apiserver.nodePort': 32008, 'webserver.nodePort': 32080, 'fileserver.nodePort': 32081 }],
  ['agent-services', { agentServices: { enabled: true, image: 'clearml/clearml-agent-services:1.9.3' } }],
  ['external data stores', { 'mongo.external': { connectionStringSecret: { name: 'mongo' } }, 'redis.external': { host: 'redis.example.com' } }],
  ['agents: a CPU and a GPU queue', { agents: [{ name: 'cpu', queues: ['default'] }, { name: 'gpu', queues: ['gpu'], taskPods: { gpu: { resourceName: 'nvidia.com/gpu', count: 1 } } }] }],
  ['scheduled backups', { backup: { schedule: '30 1 * * *', keep: 14 } }],
  ['metrics with the Prometheus Operator', { 'metrics.enabled': true, 'metrics.prometheusOperator': true }],
  ['a MongoDB replica set on claims', { 'defaultStorage.type': 'claim', 'mongo.replicas': 3, 'metrics.enabled': false }],
];

describe('a copied clearml.example.yaml', () => {
  test('as it is, synthesizes the default deployment', () => {
    fs.writeFileSync(path.join(project, 'example-as-is.yaml'), fs.readFileSync(path.join(project, 'clearml.example.yaml')));
    const out = path.join(project, 'out-as-is');
    expect(runDefaultApp('example-as-is.yaml', out, { cwd: project }).status).toBe(0);
    expect(fs.readFileSync(path.join(out, 'clearml.yaml'), 'utf8')).toBe(fs.readFileSync(path.join(ROOT, 'examples', 'classic', 'clearml.yaml'), 'utf8'));
  });

  // `npm run synth` and `cdk8s synth` ran in the tests above; each switch goes through the same loader
  // and app in this process (a command start per switch costs more than its synth).
  test.each(SWITCHES)('survives a documented switch: %s', (name, options) => {
    const file = `switch-${name.replace(/\W+/g, '-')}.yaml`;
    fs.writeFileSync(path.join(project, file), editedExample(options));
    const out = path.join(project, `out-${file}`);
    expect(runDefaultApp(file, out, { cwd: project })).toEqual({ status: 0, stderr: '', written: ['clearml.yaml'] });
  });
});

describe('the transpile cache of `npm run synth` (scripts/register-ts.js)', () => {
  test('an edited source runs as edited: the cache is keyed by content, never stale', () => {
    const probe = path.join(project, 'lib', 'cache-probe.ts');
    const value = () => run(process.execPath, ['-r', './scripts/register-ts.js', '-e', "process.stdout.write(String(require('./lib/cache-probe').VALUE))"]);
    fs.writeFileSync(probe, 'export const VALUE: number = 1;\n');
    expect(value()).toEqual(expect.objectContaining({ status: 0, stdout: '1' }));
    expect(value().stdout).toBe('1'); // from the cache
    fs.writeFileSync(probe, 'export const VALUE: number = 2;\n');
    expect(value().stdout).toBe('2');
  });
});
