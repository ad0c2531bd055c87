/**
 * Behaviour of the credentials bootstrap (Python, run by a Job), executed with python3 against an
 * in-memory fake of the Kubernetes Secrets API: for each scenario the harness imports a fresh copy of the
 * script as a module, replaces its `api(method, path, body)` and then runs the script's own
 * `if __name__ == "__main__":` block (main() plus its error handling) once per run, printing the store
 * after each run. All scenarios run in one python3 process, each with its own output and exit status.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BOOTSTRAP_SCRIPT } from '../lib/security/bootstrap-script';
import { PYTHON } from './support/python';
import { envOf, find, synthServer } from './support/synth';

/** A stored Secret: labels and plain (decoded) values. */
interface StoredSecret {
  readonly labels: Record<string, string>;
  readonly data: Record<string, string>;
}

/** Secrets keyed by `namespace/name`. */
type Store = Record<string, StoredSecret>;

interface Scenario {
  /** Secrets that exist before the first run. */
  readonly store?: Store;
  /** How many times the script runs. @default 1 */
  readonly runs?: number;
  /** On the first create of this `namespace/name`, someone else creates it with `data` first: 409. */
  readonly race?: { readonly key: string; readonly data: Record<string, string> };
  /** Every request with this method answers this HTTP status. */
  readonly fail?: { readonly method: string; readonly code: number };
}

interface HarnessResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The store after each completed run, as printed (sorted-key JSON). */
  readonly snapshots: string[];
  /** API requests of all runs: `METHOD path`. */
  readonly requests: string[];
}

const HARNESS = String.raw`
import ast, base64, contextlib, importlib.util, io, json, os, sys, traceback, urllib.error

# The script's own entry point (main() and its error handling), run in the module's namespace.
tree = ast.parse(open(os.environ["SCRIPT_PATH"]).read())
guards = [n for n in tree.body if isinstance(n, ast.If) and "__main__" in ast.unparse(n.test)]
assert len(guards) == 1, "expected one __main__ guard"
entry = compile(ast.Module(body=guards, type_ignores=[]), "bootstrap-entry", "exec")

def http_error(path, code, reason):
    return urllib.error.HTTPError("https://kubernetes.default" + path, code, reason, {}, io.BytesIO(b"{}"))

def run_scenario(scenario):
    # A fresh copy of the module, as a new process would import it.
    loader = importlib.util.spec_from_file_location("bootstrap", os.environ["SCRIPT_PATH"])
    mod = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(mod)
    store = scenario.get("store") or {}
    race = [scenario.get("race")]
    fail = scenario.get("fail")
    requests = []

    def fake_api(method, path, body=None):
        requests.append(method + " " + path)
        if fail and fail["method"] == method:
            raise http_error(path, fail["code"], "Forbidden" if fail["code"] == 403 else "Error")
        parts = path.split("/")
        assert parts[:4] == ["", "api", "v1", "namespaces"] and parts[5] == "secrets", path
        namespace = parts[4]
        if method == "GET":
            assert len(parts) == 7, path
            key = namespace + "/" + parts[6]
            if key not in store:
                raise http_error(path, 404, "Not Found")
            found = store[key]
            name = parts[6]
            return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                    "metadata": {"name": name, "namespace": namespace, "labels": found["labels"]},
                    "data": {k: base64.b64encode(v.encode()).decode() for k, v in found["data"].items()}}
        if method == "POST":
            assert len(parts) == 6, path
            assert body["apiVersion"] == "v1" and body["kind"] == "Secret", body
            assert body["metadata"]["namespace"] == namespace, body
            assert "data" not in body, body
            key = namespace + "/" + body["metadata"]["name"]
            if race[0] and race[0]["key"] == key and key not in store:
                store[key] = {"labels": {}, "data": race[0]["data"]}
                race[0] = None
            if key in store:
                raise http_error(path, 409, "Conflict")
            store[key] = {"labels": body["metadata"].get("labels") or {},
                          "data": {k: str(v) for k, v in body["stringData"].items()}}
            return body
        raise AssertionError("unexpected request " + method + " " + path)

    mod.api = fake_api
    out, err = io.StringIO(), io.StringIO()
    status = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            for _ in range(scenario.get("runs", 1)):
                mod.__dict__["__name__"] = "__main__"
                try:
                    exec(entry, mod.__dict__)
                finally:
                    print("@@REQUESTS " + json.dumps(requests))
                    requests.clear()
                print("@@STORE " + json.dumps(store, sort_keys=True))
        except SystemExit as e:
            # What the interpreter makes of it when it ends a process.
            if isinstance(e.code, int) or e.code is None:
                status = e.code or 0
            else:
                print(e.code, file=sys.stderr)
                status = 1
        except BaseException:
            traceback.print_exc()
            status = 1
    return {"status": status, "stdout": out.getvalue(), "stderr": err.getvalue()}

json.dump({name: run_scenario(s) for name, s in json.loads(os.environ["SCENARIOS"]).items()}, sys.stdout)
`;

const AGENT_PROPS = { agentServices: { enabled: true, image: 'clearml/clearml-agent-services:1.9.3' } };
const MAIN = 'clearml/clearml-credentials';
const MIRROR = 'clearml-privileged/clearml-credentials';

interface BootstrapSpec {
  readonly secret: { namespace: string; name: string; labels: Record<string, string>; keys: Record<string, 'key' | 'secret'> };
  readonly mirrors: Array<{ namespace: string; name: string; labels: Record<string, string>; keys: string[] }>;
}

const objects = synthServer(AGENT_PROPS);
const job = find(objects, 'Job', 'clearml-credentials-bootstrap');
const specJson: string = envOf(job.spec.template.spec.containers[0]).BOOTSTRAP_SPEC;
const spec: BootstrapSpec = JSON.parse(specJson);

let workDir: string;
let scriptPath: string;

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootstrap-'));
  scriptPath = path.join(workDir, 'bootstrap.py');
  fs.writeFileSync(scriptPath, BOOTSTRAP_SCRIPT);
  results = runBootstraps(scenarios);
});

afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
});

/**
 * Runs every scenario in one python3 process (a process start costs more than a scenario); each gets a
 * fresh copy of the module, its own store, and its own output and exit status, as in a process of its own.
 */
function runBootstraps(all: Record<string, Scenario>): Record<string, HarnessResult> {
  const result = spawnSync(PYTHON, ['-c', HARNESS], {
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, SCRIPT_PATH: scriptPath, BOOTSTRAP_SPEC: specJson, SCENARIOS: JSON.stringify(all), PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`the harness failed:\n${result.stderr}`);
  const runs: Record<string, { status: number; stdout: string; stderr: string }> = JSON.parse(result.stdout);
  return Object.fromEntries(Object.entries(runs).map(([name, run]) => {
    const lines = run.stdout.split('\n');
    return [name, {
      ...run,
      snapshots: lines.filter((l) => l.startsWith('@@STORE ')).map((l) => l.slice('@@STORE '.length)),
      requests: lines.filter((l) => l.startsWith('@@REQUESTS ')).flatMap((l) => JSON.parse(l.slice('@@REQUESTS '.length))),
    }];
  }));
}

const scenarios: Record<string, Scenario> = {};
let results: Record<string, HarnessResult> = {};
/** Adds a scenario to the file's one harness run; call the result in a test for what it did. */
function bootstrapRun(name: string, scenario: Scenario = {}): () => HarnessResult {
  scenarios[name] = scenario;
  return () => results[name];
}

function expectSuccess(result: HarnessResult): void {
  if (result.status !== 0) throw new Error(`bootstrap exited ${result.status}:\n${result.stderr}\n${result.stdout}`);
}

function storeOf(snapshot: string): Store {
  return JSON.parse(snapshot);
}

function pick(data: Record<string, string>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, data[k]]));
}

/** Distinct, fixed values for every key: a Secret that existed before the Job ran. */
function existingValues(prefix: string): Record<string, string> {
  return Object.fromEntries(Object.keys(spec.secret.keys).map((k) => [k, `${prefix}-${k}`]));
}

describe('the synthesized input', () => {
  test('the Job spec has the main Secret and one mirror in the privileged namespace', () => {
    expect(`${spec.secret.namespace}/${spec.secret.name}`).toBe(MAIN);
    expect(Object.values(spec.secret.keys).sort()).toEqual(expect.arrayContaining(['key', 'secret']));
    expect(spec.mirrors).toHaveLength(1);
    expect(`${spec.mirrors[0].namespace}/${spec.mirrors[0].name}`).toBe(MIRROR);
    expect(spec.mirrors[0].keys.length).toBeGreaterThan(0);
    for (const k of spec.mirrors[0].keys) expect(Object.keys(spec.secret.keys)).toContain(k);
  });

  test('the ConfigMap carries exactly the tested script', () => {
    const cm = find(objects, 'ConfigMap', 'clearml-credentials-bootstrap');
    expect(cm.data['bootstrap.py']).toBe(BOOTSTRAP_SCRIPT);
  });
});

const firstRun = bootstrapRun('first run');
const otherInstallation = bootstrapRun('another installation');
describe('first run', () => {
  let result: HarnessResult;
  let store: Store;
  beforeAll(() => {
    result = firstRun();
    expectSuccess(result);
    store = storeOf(result.snapshots[0]);
  });

  test('creates the main Secret with every key of the spec, labelled', () => {
    expect(Object.keys(store).sort()).toEqual([MAIN, MIRROR].sort());
    expect(Object.keys(store[MAIN].data).sort()).toEqual(Object.keys(spec.secret.keys).sort());
    expect(store[MAIN].labels).toEqual(spec.secret.labels);
    expect(result.stdout).toContain(`created Secret ${MAIN}`);
  });

  test('keys are 30 chars of [A-Z0-9], secrets 64 of [A-Za-z0-9], all starting with a letter', () => {
    for (const [key, kind] of Object.entries(spec.secret.keys)) {
      const value = store[MAIN].data[key];
      if (kind === 'key') expect(value).toMatch(/^[A-Z][A-Z0-9]{29}$/);
      else expect(value).toMatch(/^[A-Za-z][A-Za-z0-9]{63}$/);
    }
  });

  test('all values are distinct', () => {
    const values = Object.values(store[MAIN].data);
    expect(new Set(values).size).toBe(values.length);
  });

  test('the mirror holds exactly the listed keys, with the values of the main Secret', () => {
    const mirror = spec.mirrors[0];
    expect(Object.keys(store[MIRROR].data).sort()).toEqual([...mirror.keys].sort());
    expect(store[MIRROR].data).toEqual(pick(store[MAIN].data, mirror.keys));
    expect(store[MIRROR].labels).toEqual(mirror.labels);
  });

  test('two installations get different values', () => {
    const other = otherInstallation();
    expectSuccess(other);
    const otherMain = storeOf(other.snapshots[0])[MAIN].data;
    for (const key of Object.keys(spec.secret.keys)) expect(otherMain[key]).not.toBe(store[MAIN].data[key]);
  });
});

const laterRuns = bootstrapRun('three runs', { runs: 3 });
test('later runs change nothing (byte-identical store, no create)', () => {
  const result = laterRuns();
  expectSuccess(result);
  expect(result.snapshots).toHaveLength(3);
  expect(result.snapshots[1]).toBe(result.snapshots[0]);
  expect(result.snapshots[2]).toBe(result.snapshots[0]);
  const creates = result.requests.filter((r) => r.startsWith('POST'));
  expect(creates).toHaveLength(2); // main + mirror, both in the first run
  expect(result.stdout).toContain(`Secret ${MAIN} exists: left unchanged`);
  expect(result.stdout).toContain(`Secret ${MIRROR} exists: left unchanged`);
});

const existing: Store = { [MAIN]: { labels: { owner: 'someone-else' }, data: existingValues('old') } };
const preExisting = bootstrapRun('pre-existing', { store: existing, runs: 2 });
test('a pre-existing Secret is left untouched and the mirror copies its values', () => {
  const result = preExisting();
  expectSuccess(result);
  const store = storeOf(result.snapshots[0]);
  expect(store[MAIN]).toEqual(existing[MAIN]);
  expect(store[MIRROR].data).toEqual(pick(existing[MAIN].data, spec.mirrors[0].keys));
  expect(result.snapshots[1]).toBe(result.snapshots[0]);
  expect(result.requests.filter((r) => r.startsWith('POST'))).toEqual([`POST /api/v1/namespaces/clearml-privileged/secrets`]);
});

const keys = Object.keys(spec.secret.keys);
const bad = { [keys[0]]: '1m4Kx9', [keys[1]]: 'trueValue', [keys[2]]: 'abc+def=' };
const good = Object.fromEntries(keys.slice(3).map((k) => [k, `Good${k.replace(/[^A-Za-z0-9]/g, '')}`]));
const misread = bootstrapRun('values ClearML would misread', { store: { [MAIN]: { labels: {}, data: { ...existingValues('old'), ...good, ...bad } } } });
test('an existing value ClearML would misread is warned about by key, never by value; good values are not', () => {
  const result = misread();
  expectSuccess(result);
  const warnings = result.stdout.split('\n').filter((l) => l.startsWith('warning: key '));
  expect(warnings.map((l) => l.split(' ')[2]).sort()).toEqual(Object.keys(bad).sort());
  for (const line of warnings) expect(line).toContain(`of Secret ${MAIN} holds a value ClearML may read back changed`);
  const logs = (result.stdout + result.stderr).split('\n').filter((l) => !l.startsWith('@@')).join('\n');
  for (const value of Object.values(bad)) expect(logs).not.toContain(value);
});

const mirrored = spec.mirrors[0].keys;
const partial = Object.fromEntries(Object.entries(existingValues('old')).filter(([k]) => !mirrored.includes(k)));
const lackingMirroredKeys = bootstrapRun('lacking mirrored keys', { store: { [MAIN]: { labels: {}, data: partial } } });
test('a pre-existing Secret lacking mirrored keys is left untouched and no partial mirror is created', () => {
  const result = lackingMirroredKeys();
  // The Job fails (and retries) rather than writing a mirror it could never complete later.
  expect(result.status).not.toBe(0);
  expect(result.stdout).toContain(`warning: it lacks keys ${[...mirrored].sort().join(', ')}`);
  expect(result.stderr).toContain('credentials bootstrap failed');
  expect(result.requests.filter((r) => r.startsWith('POST'))).toEqual([]);
});

const staleMirror = { labels: {}, data: { [spec.mirrors[0].keys[0]]: 'stale' } };
const existingMirror = bootstrapRun('existing mirror', { store: { [MIRROR]: staleMirror } });
test('an existing mirror is never changed, even when it differs from the main Secret', () => {
  const result = existingMirror();
  expectSuccess(result);
  const store = storeOf(result.snapshots[0]);
  expect(store[MIRROR]).toEqual(staleMirror);
  expect(Object.keys(store[MAIN].data).sort()).toEqual(Object.keys(spec.secret.keys).sort());
});

const winner = existingValues('winner');
const raceOnCreate = bootstrapRun('race on create', { race: { key: MAIN, data: winner } });
test('a 409 race on create is tolerated: the winner\'s values are kept and mirrored', () => {
  const result = raceOnCreate();
  expectSuccess(result);
  const store = storeOf(result.snapshots[0]);
  expect(store[MAIN].data).toEqual(winner);
  expect(store[MIRROR].data).toEqual(pick(winner, spec.mirrors[0].keys));
  expect(result.stdout).toContain(`Secret ${MAIN} was created concurrently: left as it is`);
});

const theirs = { [spec.mirrors[0].keys[0]]: 'theirs' };
const raceOnMirror = bootstrapRun('race on mirror', { race: { key: MIRROR, data: theirs } });
test('a 409 race on the mirror is tolerated too', () => {
  const result = raceOnMirror();
  expectSuccess(result);
  expect(storeOf(result.snapshots[0])[MIRROR].data).toEqual(theirs);
});

const HTTP_ERRORS: Array<[string, number]> = [['GET', 403], ['POST', 403], ['GET', 500]];
const httpErrors = HTTP_ERRORS.map(([method, code]) => bootstrapRun(`${method} ${code}`, { fail: { method, code } }));
test.each(HTTP_ERRORS.map(([method, code], i) => [method, code, httpErrors[i]] as const))('an unexpected HTTP error (%s %d) exits non-zero with a message on stderr', (_method, code, run) => {
  const result = run();
  expect(result.status).not.toBe(0);
  expect(result.status).not.toBeNull();
  expect(result.stderr).toMatch(new RegExp(`^credentials bootstrap failed: HTTP Error ${code}`, 'm'));
  expect(result.stderr).not.toMatch(/Traceback/);
  expect(result.snapshots).toEqual([]);
});
