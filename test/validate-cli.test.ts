/**
 * `clearml-validate` (lib/cli/validate.ts) and how the package's commands find their cdk8s project
 * (lib/cli/project.ts). The installed bins run in test/package.test.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { findCdk8sCli, findCdk8sProject } from '../lib/cli/project';
import { EXIT_USAGE, EXIT_VALID, EXIT_VIOLATIONS, main } from '../lib/cli/validate';
import { synthServer } from './support/synth';

const ROOT = path.resolve(__dirname, '..');
let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearml-validate-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function validate(...argv: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, (s) => out.push(s), (s) => err.push(s), dir);
  return { code, out: out.join(''), err: err.join('') };
}

describe('clearml-validate', () => {
  test('a directory of synthesized manifests: valid, exit 0', () => {
    fs.mkdirSync(path.join(dir, 'good', 'nested'), { recursive: true });
    const objects = synthServer();
    fs.writeFileSync(path.join(dir, 'good', 'a.yaml'), objects.slice(0, 10).map((o) => stringify(o)).join('---\n'));
    fs.writeFileSync(path.join(dir, 'good', 'nested', 'b.yml'), objects.slice(10).map((o) => stringify(o)).join('---\n'));
    expect(validate('--require-namespaces', 'good')).toEqual({ code: EXIT_VALID, out: `${objects.length} objects: valid\n`, err: '' });
    // The generated credentials Secret is made in the cluster by the bootstrap Job: the reference check knows it.
    const refs = validate('--require-references', 'good');
    expect(refs.out).not.toContain('clearml-credentials');
    expect(refs.code).toBe(EXIT_VALID);
  });

  test('violations: one line each (object, field, message), then the count; exit 1', () => {
    fs.writeFileSync(path.join(dir, 'bad.yaml'), stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'missing' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'other' } }, spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 70000 }] }] } } },
    }));
    const r = validate('--require-namespaces', 'bad.yaml');
    expect(r.code).toBe(EXIT_VIOLATIONS);
    expect(r.err).toBe('');
    const lines = r.out.trimEnd().split('\n');
    expect(lines.slice(0, -1).every((l) => l.startsWith('apps/v1 Deployment missing/web: '))).toBe(true);
    expect(r.out).toContain('spec.template.spec.containers[0].ports[0].containerPort: ');
    expect(r.out).toMatch(/Namespace/);
    expect(lines[lines.length - 1]).toBe(`1 object: ${lines.length - 1} violations`);
  });

  test.each([
    [[], /name a directory or file of manifests/],
    [['--strict', 'x'], /unknown option --strict/],
    [['nowhere'], /nowhere: no such directory/],
  ])('usage and loading errors %j: exit 2', (argv, message) => {
    const r = validate(...argv);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
  });

  test('--help: the usage on stdout, exit 0', () => {
    expect(validate('--help')).toEqual({ code: 0, out: expect.stringMatching(/^usage: clearml-validate .*\nExit codes: 0 valid; 1 violations; 2 usage or loading error\.\n$/s), err: '' });
  });
});

describe('the cdk8s project of a command', () => {
  test('the nearest cdk8s.yaml, from the project or a subdirectory; its output (a staging .<dir>.synth stands for <dir>)', () => {
    const project = path.join(dir, 'project');
    fs.mkdirSync(path.join(project, 'src', 'deep'), { recursive: true });
    fs.writeFileSync(path.join(project, 'cdk8s.yaml'), 'app: node main.js\n');
    expect(findCdk8sProject(path.join(project, 'src', 'deep'))).toEqual({ root: project, manifestDir: 'dist' });
    fs.writeFileSync(path.join(project, 'cdk8s.yaml'), 'app: node main.js\noutput: manifests\n');
    expect(findCdk8sProject(project)).toEqual({ root: project, manifestDir: 'manifests' });
    fs.writeFileSync(path.join(project, 'cdk8s.yaml'), 'app: node main.js\noutput: deploy/.out.synth\n');
    expect(findCdk8sProject(project)).toEqual({ root: project, manifestDir: path.join('deploy', 'out') });
    expect(findCdk8sProject(ROOT)).toEqual({ root: ROOT, manifestDir: 'dist' });
  });

  test('its own cdk8s CLI: node_modules/.bin of the project or a parent', () => {
    expect(findCdk8sCli(path.join(ROOT, 'lib', 'cli'))).toBe(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'));
    expect(findCdk8sCli(path.join(dir, 'project'))).toBe(fs.existsSync(path.join(os.tmpdir(), 'node_modules', '.bin', 'cdk8s')) ? expect.any(String) : undefined);
  });
});
