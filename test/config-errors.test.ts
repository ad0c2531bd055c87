/**
 * Issue 8: a configuration file with several mistakes reports all of them in one run, with their lines,
 * through the real command (`main.ts --check`), and nothing is written. How a plain synth, single mistakes
 * and list items are reported is checked through the same loader in this process.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AppRun, runDefaultApp } from './support/app-run';

const ROOT = path.resolve(__dirname, '..');

/** What the real `main.ts --check` prints and exits with for this file. */
function check(text: string): { status: number | null; stderr: string; written: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearml-errors-'));
  try {
    const file = path.join(dir, 'clearml.yaml');
    fs.writeFileSync(file, text);
    const out = path.join(dir, 'out');
    const r = spawnSync(process.execPath, ['-r', './scripts/register-ts.js', 'main.ts', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, CLEARML_CONFIG: file, CDK8S_OUTDIR: out },
    });
    const written = fs.existsSync(out) ? fs.readdirSync(out) : [];
    return { status: r.status, stderr: r.stderr.split(file).join('clearml.yaml'), written };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** What `main.ts --check` (or, with `checkOnly` false, a plain synth) does with this file, in this process. */
function runInProcess(text: string, checkOnly = true): AppRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearml-errors-'));
  try {
    fs.writeFileSync(path.join(dir, 'clearml.yaml'), text);
    return runDefaultApp('clearml.yaml', path.join(dir, 'out'), { cwd: dir, check: checkOnly });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const SEVERAL = [
  'namespace: kube-system',                 // 1: construct: a Kubernetes namespace
  'apiserver:',                             // 2
  '  replica: 2',                           // 3: shape: unknown key
  '  env:',                                 // 4
  '    CLEARML__hosts__mongo__backend__host: x', // 5: construct: wiring override
  'mongo:',                                 // 6
  '  storage:',                             // 7
  '    size: 0Gi',                          // 8: construct: size zero
  'hostPreparation:',                       // 9
  '  maxMapCount: 65530',                   // 10: construct: below Elasticsearch's minimum
  'exposure:',                              // 11
  '  type: NodePorts',                      // 12: shape: not one of the allowed values
  'redis:',                                 // 13
  '  storage:',                             // 14
  '    type: 3',                            // 15: shape: wrong type
].join('\n') + '\n';

describe('a file with several mistakes', () => {
  const result = check(SEVERAL);

  test('exits 1 and writes nothing', () => {
    expect(result.status).toBe(1);
    expect(result.written).toEqual([]);
  });

  test.each([
    ['apiserver.replica: unknown option "replica" (did you mean "replicas"?)', 3],
    ['exposure.type: "NodePorts" must be one of "NodePort", "Ingress", "LoadBalancer"', 12],
    ['redis.storage.type: expected string, got number 3', 15],
    ['namespace: "kube-system" belongs to Kubernetes', 1],
    ['apiserver.env.CLEARML__hosts__mongo__backend__host: overrides ClearML\'s wiring', 5],
    ['mongo.storage.size: "0Gi" must be greater than zero', 8],
    ['hostPreparation.maxMapCount: 65530 must be an integer from 262144 to 2147483647', 10],
  ])('reports %s (line %d)', (message, line) => {
    const at = result.stderr.indexOf(`error: clearml.yaml: ${message}`);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(result.stderr.slice(at).split('\n')[1]).toBe(`  at clearml.yaml:${line}`);
  });

  test('reports each mistake once', () => {
    expect(result.stderr.match(/^error: /gm)).toHaveLength(7);
  });
});

// The command ran above; a plain synth goes through the same loader (main.ts without --check).
test('a plain synth of the same file fails the same way and leaves no output', () => {
  const r = runInProcess(SEVERAL, false);
  expect(r.status).toBe(1);
  expect(r.stderr.match(/^error: /gm)).toHaveLength(7);
  expect(r.written).toEqual([]);
});

test('one mistake is reported alone, as before', () => {
  const r = runInProcess('name: ml\nmongo:\n  storage:\n    size: "50GB"\n');
  expect(r.status).toBe(1);
  expect(r.stderr).toBe('error: clearml.yaml: mongo.storage.size: "50GB" is not a Kubernetes quantity (try "50Gi")\n  at clearml.yaml:4\n');
});

describe('mistakes in several items of one list', () => {
  const result = runInProcess([
    'agents:',
    '  - name: one',          // 2: fine
    '    queues: [x]',
    '  - name: Bad_Name',     // 4: a required key with a bad value
    '    queues: [a]',
    '  - name: two',
    '    queues: [a, b]',     // 7: one queue per agent
    '  - name: three',
    '    queues: [q]',
    '    namespace: default', // 10: Kubernetes' own namespace
  ].join('\n') + '\n');

  test('each is reported under its own item, and nothing is reported that the file does not say', () => {
    const errors = result.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(errors).toEqual([
      expect.stringMatching(/^error: clearml\.yaml: agents\[1\]\.name: "Bad_Name" must be a DNS-1123 label/),
      expect.stringMatching(/^error: clearml\.yaml: agents\[2\]\.queues: name exactly one queue \(got 2\)/),
      expect.stringMatching(/^error: clearml\.yaml: agents\[3\]\.namespace: "default" belongs to Kubernetes/),
    ]);
    expect(result.stderr).not.toContain('undefined');
    expect(result.stderr).toContain('at clearml.yaml:10');
  });
});

test('a good file: --check says it is valid, exits 0 and writes nothing', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearml-check-'));
  try {
    fs.writeFileSync(path.join(dir, 'clearml.yaml'), 'namespace: ml\n');
    const r = spawnSync(process.execPath, ['-r', './scripts/register-ts.js', 'main.ts', '--check'], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, CLEARML_CONFIG: path.join(dir, 'clearml.yaml'), CDK8S_OUTDIR: path.join(dir, 'out') },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('configuration is valid: nothing written (npm run synth writes dist/)\n');
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
