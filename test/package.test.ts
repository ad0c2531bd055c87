import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { DEFAULT_VERSIONS } from '../lib';

// bcryptjs 2.x ships no type declarations.
const bcryptjs: { compareSync(password: string, hash: string): boolean } = require('bcryptjs');

const ROOT = path.join(__dirname, '..');

function run(command: string, args: string[], cwd: string, expectStatus: number | 'any' = 0, input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { cwd, input, encoding: 'utf8', timeout: 170_000, env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (expectStatus !== 'any' && r.status !== expectStatus) throw new Error(`${command} ${args.join(' ')} exited ${r.status}, not ${expectStatus}:\n${r.stdout}\n${r.stderr}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const CONSUMER = `import { App, Chart, ApiObject } from 'cdk8s';
import { ClearmlServer, ClearmlServerProps } from 'cdk8s-clearml';

const app = new App();
const chart = new Chart(app, 'platform');
new ApiObject(chart, 'settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'platform-settings', namespace: 'default' }, data: { team: 'ml' } });
const props: ClearmlServerProps = { name: 'ml', namespace: 'ml-tracking', fixedUsers: { secretName: 'users' }, backup: {} };
const server = new ClearmlServer(chart, 'clearml', props);
new ApiObject(chart, 'endpoint', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'clearml-endpoint', namespace: 'default' }, data: { api: server.endpoints.apiserver.clusterUrl } });
app.synth();
`;

// The consumer's own packages (peer dependencies of the package, and its cdk8s CLI): linked from this
// repository's node_modules, as the consumer would have installed them. The package's own dependencies
// are installed by npm from the tarball's package.json, so a missing one fails here.
const CONSUMER_OWN = ['cdk8s', 'constructs', 'cdk8s-plus-27', 'cdk8s-cli'];
// The consumer project keeps its node_modules between runs (like a real project that upgrades the
// package): `npm install <tarball>` then replaces the package and installs or removes only the
// dependencies whose declaration changed, instead of extracting every dependency again. Its own files
// are written anew on every run.
const PROJECT = path.join(ROOT, 'node_modules', '.cache', 'cdk8s-clearml-consumer');

/**
 * On a first run (a fresh clone, CI) the consumer starts as a project that already has the package's
 * dependency tree: this repository's installed copies of the lock file's non-development packages,
 * hard-linked (extracting them is most of a first install). `npm install` keeps what satisfies the
 * tarball's declarations and removes the rest as extraneous, so an undeclared dependency still goes
 * missing.
 */
function seedDependencies(project: string): void {
  const modules = path.join(project, 'node_modules');
  if (fs.existsSync(modules)) return;
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const topLevel = /^node_modules\/(@[^/]+\/)?[^/]+$/;
  for (const [entry, info] of Object.entries(lock.packages) as Array<[string, { dev?: boolean; peer?: boolean; devOptional?: boolean }]>) {
    if (topLevel.test(entry) && !info.dev && !info.peer && !info.devOptional && fs.existsSync(path.join(ROOT, entry))) {
      linkTree(path.join(ROOT, entry), path.join(project, entry));
    }
  }
}

function linkTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const [source, target] = [path.join(from, entry.name), path.join(to, entry.name)];
    if (entry.isDirectory()) linkTree(source, target);
    else if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(source), target);
    else fs.linkSync(source, target);
  }
}

describe('the npm package', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'clearml-pack-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
  const project = PROJECT;
  const bin = (name: string) => path.join(project, 'node_modules', '.bin', name);
  let tarball = '';

  test('npm pack yields compiled JavaScript and type declarations only, with the docs, each built from a current source', () => {
    const [{ filename }] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], ROOT).stdout.replace(/^[^[]*/s, ''));
    tarball = path.join(work, filename);
    const files = run('tar', ['-tzf', tarball], work).stdout.trim().split('\n').map((f) => f.replace(/^package\//, ''));
    const allowed = /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|API\.md|clearml\.example\.yaml|build\/(lib|imports)\/.+\.(js|d\.ts))$/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['build/lib/index.js', 'build/lib/index.d.ts', 'build/imports/k8s.js', 'build/lib/cli/diff.js', 'build/lib/cli/validate.js', 'API.md', 'CHANGELOG.md', 'LICENSE']));
    expect(files.some((f) => /(^|\/)(test|examples)\//.test(f))).toBe(false);
    // The build is incremental: output of a removed or renamed source must not ship.
    const stale = files.filter((f) => f.startsWith('build/')).filter((f) => !fs.existsSync(path.join(ROOT, f.replace(/^build\//, '').replace(/(\.d)?\.ts$|\.js$/, '.ts'))));
    expect(stale).toEqual([]);
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['cdk8s', 'cdk8s-plus-27', 'constructs']);
    for (const peer of Object.keys(manifest.peerDependencies)) expect(manifest.dependencies[peer]).toBeUndefined();
    for (const bin of Object.values(manifest.bin) as string[]) expect(files).toContain(bin);
  });

  test('installed into a project (npm install of the tarball), it composes into that project\'s chart next to its own objects, type-checks and synthesizes', () => {
    fs.mkdirSync(project, { recursive: true });
    for (const entry of fs.readdirSync(project)) if (entry !== 'node_modules') fs.rmSync(path.join(project, entry), { recursive: true, force: true });
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    seedDependencies(project);
    run('npm', ['install', '--prefer-offline', '--legacy-peer-deps', '--no-audit', '--no-fund', '--ignore-scripts', tarball], project);
    for (const name of CONSUMER_OWN) {
      fs.rmSync(path.join(project, 'node_modules', name), { recursive: true, force: true });
      fs.symlinkSync(path.join(ROOT, 'node_modules', name), path.join(project, 'node_modules', name), 'dir');
    }
    fs.rmSync(bin('cdk8s'), { force: true });
    fs.symlinkSync('../cdk8s-cli/bin/cdk8s', bin('cdk8s'));
    fs.writeFileSync(path.join(project, 'main.ts'), CONSUMER);
    fs.writeFileSync(path.join(project, 'cdk8s.yaml'), 'language: typescript\napp: node main.js\n');
    run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '--strict', '--esModuleInterop', '--skipLibCheck', '--target', 'es2022', '--lib', 'es2022', '--module', 'commonjs', 'main.ts'], project);
    run(process.execPath, ['main.js'], project);
    const out = path.join(project, 'dist');
    const objects = fs.readdirSync(out).flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(out, f), 'utf8')).map((d) => d.toJS()));
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names).toEqual(expect.arrayContaining(['ConfigMap/platform-settings', 'Namespace/ml-tracking', 'Deployment/ml-apiserver', 'ConfigMap/clearml-endpoint']));
    expect(objects.find((o) => o.metadata.name === 'clearml-endpoint').data.api).toBe('http://ml-apiserver.ml-tracking.svc:8008');
  });

  test('clearml-validate, installed, checks the project\'s manifests offline: valid, then a broken one', () => {
    const validate = bin('clearml-validate');
    const ok = run(validate, ['--require-namespaces', 'dist'], project);
    expect(ok.stdout).toMatch(/^\d+ objects: valid\n$/);
    fs.mkdirSync(path.join(project, 'broken'));
    fs.writeFileSync(path.join(project, 'broken', 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: Bad_Name, namespace: default}\nspec: {ports: [{port: 80, nodePort: 80}], typo: 1}\n');
    const bad = run(validate, ['broken'], project, 1);
    expect(bad.stdout).toContain('v1 Service default/Bad_Name: metadata.name:');
    expect(bad.stdout).toContain('spec.typo:');
    expect(bad.stdout).toMatch(/1 object: \d+ violations\n$/);
    expect(run(validate, ['missing-dir'], project, 2).stderr).toContain('clearml-validate: ');
  });

  test('clearml-diff, installed, compares the committed dist/ with the project\'s own `cdk8s synth` of its current tree', () => {
    const git = (...args: string[]) => run('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], project);
    git('init', '-q');
    git('add', 'dist', 'main.ts', 'cdk8s.yaml');
    git('commit', '-qm', 'manifests');
    fs.writeFileSync(path.join(project, 'main.js'), fs.readFileSync(path.join(project, 'main.js'), 'utf8').replace("team: 'ml'", "team: 'ai'"));
    const r = run(bin('clearml-diff'), [], project, 1);
    expect(r.stdout).toMatch(/^Manifest diff: dist\/ at HEAD -> current tree \(synthesized\)\n0 added, 0 removed, 1 changed, \d+ unchanged\n/);
    expect(r.stdout).toContain('  ~ ConfigMap default/platform-settings\n      ~ data.team: "ml" -> "ai"\n');
  });

  test('clearml-new-secret, clearml-hash-password and clearml-restore, installed, run in the project', () => {
    const secret = parse(run(bin('clearml-new-secret'), ['--namespace', 'ml-tracking'], project).stdout);
    expect([secret.kind, secret.metadata.namespace, Object.keys(secret.stringData).length > 0]).toEqual(['Secret', 'ml-tracking', true]);

    // The default cost (12) on the command's output: the unit spec hashes at the least cost.
    const hashed = run(bin('clearml-hash-password'), [], project, 0, `${'a'.repeat(72)}\n`);
    expect(hashed.stderr).toBe('');
    expect(hashed.stdout).toMatch(/^[A-Za-z0-9+/]+={0,2}\n$/);
    const decoded = Buffer.from(hashed.stdout.trim(), 'base64').toString('utf8');
    expect(decoded).toMatch(/^\$2b\$12\$[./A-Za-z0-9]{53}$/);
    expect(bcryptjs.compareSync('a'.repeat(72), decoded)).toBe(true);

    const versions = `clearml=${DEFAULT_VERSIONS.clearml},elasticsearch=${DEFAULT_VERSIONS.elasticsearch},mongo=${DEFAULT_VERSIONS.mongo}`;
    run(bin('clearml-restore'), ['--manifests', 'dist', '--backup', '20261201T013000Z', '--backup-versions', versions, '--output', 'restore'], project);
    const job = parse(fs.readFileSync(path.join(project, 'restore', 'restore-job-20261201T013000Z.yaml'), 'utf8'));
    expect([job.kind, job.metadata.namespace]).toEqual(['Job', 'ml-tracking']);
    expect(fs.statSync(path.join(project, 'restore', 'restore-20261201T013000Z.sh')).mode & 0o111).not.toBe(0);
  });
});
