/**
 * Agents (Kubernetes glue): what one typed description of a server and its agents synthesizes, and
 * what it refuses.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { EXAMPLES } from '../examples/apps';
import { ClearmlServerProps, KubernetesAgentOptions } from '../lib';
import { loadConfig } from '../lib/config/load';
import { BOOTSTRAP_SCRIPT } from '../lib/security/bootstrap-script';
import { isHoconSafe } from '../lib/security/hocon-safe';
import { validateManifests } from '../lib/validate/k8s-validate';
import { PYTHON } from './support/python';
import { envOf, find, Manifest, synthServer } from './support/synth';

const example = synthServer(EXAMPLES.agents);
const agentObjects = (objects: Manifest[]) => objects.filter((o) => /agent-(cpu|gpu)/.test(`${o.metadata.name} ${o.metadata.namespace}`));
const withAgents = (...agents: KubernetesAgentOptions[]): ClearmlServerProps => ({ agents });
const glue = (objects: Manifest[], agent: string) =>
  find(objects, 'Deployment', `clearml-agent-${agent}`).spec.template.spec.containers[0] as Manifest;
const configOf = (objects: Manifest[], agent: string) => find(objects, 'ConfigMap', `clearml-agent-${agent}`).data;
const templateOf = (objects: Manifest[], agent: string) => parse(configOf(objects, agent)['template.yaml']);
const apiserverEnv = (objects: Manifest[]) => envOf(find(objects, 'Deployment', 'clearml-apiserver').spec.template.spec.containers[0]);

describe('the agents example (default server, CPU queue, GPU queue)', () => {
  test('synthesizes the agents as in the snapshot', () => {
    expect(agentObjects(example)).toMatchSnapshot();
  });

  test('every object, and every task pod the glue would create, passes the Kubernetes validator', () => {
    const taskPods = ['cpu', 'gpu'].map((agent) => {
      const t = templateOf(example, agent);
      return { apiVersion: 'v1', kind: 'Pod', metadata: { ...t.metadata, name: 'clearml-id-0123' }, spec: { ...t.spec, containers: [{ ...t.spec.containers[0], image: 'python:3.12-slim-bookworm', command: ['/bin/bash'] }] } };
    });
    expect(validateManifests([...example, ...taskPods], { requireNamespaces: true })).toEqual([]);
  });

  test('is reachable from clearml.yaml', () => {
    const props = loadConfig('agents:\n  - name: cpu\n    queues: [default]\n  - name: gpu\n    queues: [gpu]\n    taskPods:\n      gpu: { resourceName: nvidia.com/gpu }\n', 'clearml.yaml');
    expect(agentObjects(synthServer(props)).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(
      agentObjects(synthServer(withAgents({ name: 'cpu', queues: ['default'] }, { name: 'gpu', queues: ['gpu'], taskPods: { gpu: { resourceName: 'nvidia.com/gpu' } } }))).map((o) => `${o.kind}/${o.metadata.name}`));
    expect(() => loadConfig('agents:\n  - name: cpu\n    queue: [default]\n', 'clearml.yaml')).toThrow(/queue/);
  });
});

describe('credentials: generated in the cluster, registered with the server, delivered per namespace', () => {
  test('no key is synthesized: no Secret object, only references', () => {
    expect(example.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  test('the bootstrap Job creates the server-side Secret once and copies each pair to the agent namespace in its own Secret', () => {
    const job = find(example, 'Job', 'clearml-agent-gpu-credentials');
    const spec = JSON.parse(envOf(job.spec.template.spec.containers[0]).BOOTSTRAP_SPEC);
    expect(spec.secret).toMatchObject({ namespace: 'clearml', name: 'clearml-agent-gpu-credentials', keys: { glue_access_key: 'key', glue_secret_key: 'secret', task_access_key: 'key', task_secret_key: 'secret' } });
    expect(spec.mirrors.map((m: Manifest) => [m.namespace, m.name, m.keys])).toEqual([
      ['clearml-agent-gpu', 'clearml-agent-gpu-glue-credentials', ['glue_access_key', 'glue_secret_key']],
      ['clearml-agent-gpu', 'clearml-agent-gpu-task-credentials', ['task_access_key', 'task_secret_key']],
    ]);
    expect(job.spec.template.spec.containers[0].command).toEqual(['python3', '/bootstrap/bootstrap.py']);
  });

  test('the Job may create Secrets and read back only the agent\'s own', () => {
    const rules = (ns: string) => example.find((o) => o.kind === 'Role' && o.metadata.name === 'clearml-agent-gpu-credentials' && o.metadata.namespace === ns)!.rules;
    expect(rules('clearml')).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['clearml-agent-gpu-credentials'], verbs: ['get'] },
    ]);
    expect(rules('clearml-agent-gpu')[1].resourceNames).toEqual(['clearml-agent-gpu-glue-credentials', 'clearml-agent-gpu-task-credentials']);
  });

  test('the apiserver registers two users per agent (role user) from the server-side Secret', () => {
    const env = apiserverEnv(example);
    expect(env).toMatchObject({
      CLEARML__SECURE__CREDENTIALS__AGENT_GPU__ROLE: 'user',
      CLEARML__SECURE__CREDENTIALS__AGENT_GPU__DISPLAY_NAME: '"Kubernetes agent gpu"',
      CLEARML__SECURE__CREDENTIALS__AGENT_GPU__USER_KEY: 'secret:clearml-agent-gpu-credentials/glue_access_key',
      CLEARML__SECURE__CREDENTIALS__AGENT_GPU__USER_SECRET: 'secret:clearml-agent-gpu-credentials/glue_secret_key',
      CLEARML__SECURE__CREDENTIALS__AGENT_GPU_TASKS__ROLE: 'user',
      CLEARML__SECURE__CREDENTIALS__AGENT_GPU_TASKS__USER_KEY: 'secret:clearml-agent-gpu-credentials/task_access_key',
    });
  });

  test('removing an agent removes its users from the apiserver configuration (deleted at the next start)', () => {
    const one = apiserverEnv(synthServer(withAgents({ name: 'cpu', queues: ['default'] })));
    expect(Object.keys(one).filter((k) => k.includes('AGENT_GPU'))).toEqual([]);
    expect(Object.keys(one).filter((k) => k.includes('AGENT_CPU'))).toHaveLength(8);
    expect(Object.keys(apiserverEnv(synthServer())).filter((k) => /__AGENT_/.test(k))).toEqual([]);
  });

  test('the glue reads only the glue pair; task pods read only the task pair', () => {
    expect(envOf(glue(example, 'gpu'))).toMatchObject({
      CLEARML_API_ACCESS_KEY: 'secret:clearml-agent-gpu-glue-credentials/glue_access_key',
      CLEARML_API_SECRET_KEY: 'secret:clearml-agent-gpu-glue-credentials/glue_secret_key',
    });
    expect(envOf(templateOf(example, 'gpu').spec.containers[0])).toMatchObject({
      CLEARML_API_ACCESS_KEY: 'secret:clearml-agent-gpu-task-credentials/task_access_key',
      CLEARML_API_SECRET_KEY: 'secret:clearml-agent-gpu-task-credentials/task_secret_key',
    });
    // The glue gives task pods its own clearml.conf without keys instead of copying its own.
    expect(glue(example, 'gpu').args).toEqual(expect.arrayContaining(['--pod-clearml-conf', '/etc/clearml-agent/clearml.conf']));
    expect(configOf(example, 'gpu')['clearml.conf']).not.toMatch(/key/i);
    // The image's entrypoint traces the keys into the log: it is never used.
    expect(glue(example, 'gpu').command).toEqual(['bash', '/etc/clearml-agent/start.sh']);
  });

  test('generated agent keys are HOCON-safe (letters and digits, starting with a letter) and created once', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-creds-'));
    fs.writeFileSync(path.join(dir, 'bootstrap.py'), BOOTSTRAP_SCRIPT);
    const harness = String.raw`
import base64, json, sys, urllib.error, io
sys.path.insert(0, sys.argv[1])
import bootstrap
store = {}
def fake_api(method, path, body=None):
    parts = path.split("/")
    ns = parts[4]
    if method == "GET":
        key = ns + "/" + parts[6]
        if key not in store:
            raise urllib.error.HTTPError(path, 404, "Not Found", {}, io.BytesIO(b"{}"))
        return {"data": {k: base64.b64encode(v.encode()).decode() for k, v in store[key].items()}}
    store[ns + "/" + body["metadata"]["name"]] = dict(body["stringData"])
    return {}
bootstrap.api = fake_api
for run in range(2):
    bootstrap.main()
print(json.dumps(store, sort_keys=True))
`;
    const spec = JSON.parse(envOf(find(example, 'Job', 'clearml-agent-cpu-credentials').spec.template.spec.containers[0]).BOOTSTRAP_SPEC);
    const r = spawnSync(PYTHON, ['-c', harness, dir], { env: { ...process.env, BOOTSTRAP_SPEC: JSON.stringify(spec) }, encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.stderr).toBe('');
    const store = JSON.parse(r.stdout.trim().split('\n').pop()!);
    const server = store['clearml/clearml-agent-cpu-credentials'];
    expect(Object.keys(server).sort()).toEqual(['glue_access_key', 'glue_secret_key', 'task_access_key', 'task_secret_key']);
    for (const [k, v] of Object.entries(server) as Array<[string, string]>) {
      expect(v).toMatch(k.endsWith('access_key') ? /^[A-Z][A-Z0-9]{29}$/ : /^[A-Za-z][A-Za-z0-9]{63}$/);
      expect(isHoconSafe(v)).toBe(true);
    }
    expect(new Set(Object.values(server)).size).toBe(4);
    expect(store['clearml-agent-cpu/clearml-agent-cpu-glue-credentials']).toEqual({ glue_access_key: server.glue_access_key, glue_secret_key: server.glue_secret_key });
    expect(store['clearml-agent-cpu/clearml-agent-cpu-task-credentials']).toEqual({ task_access_key: server.task_access_key, task_secret_key: server.task_secret_key });
    expect(r.stdout).toMatch(/exists: left unchanged/);
  });
});

describe('URLs', () => {
  test('the glue and task pods use the in-cluster API and file servers', () => {
    for (const env of [envOf(glue(example, 'cpu')), envOf(templateOf(example, 'cpu').spec.containers[0])]) {
      expect(env).toMatchObject({
        CLEARML_API_HOST: 'http://clearml-apiserver.clearml.svc:8008',
        CLEARML_FILES_HOST: 'http://clearml-fileserver.clearml.svc:8081',
        CLEARML_WEB_HOST: 'http://clearml-webserver.clearml.svc:80',
      });
    }
  });

  test('web links use the public URL when the installation has one', () => {
    const objects = synthServer({ domain: 'clearml.example.com', https: true, exposure: { type: 'Ingress' }, agents: [{ name: 'cpu', queues: ['default'] }] });
    expect(envOf(glue(objects, 'cpu')).CLEARML_WEB_HOST).toBe('https://app.clearml.example.com');
    expect(envOf(glue(objects, 'cpu')).CLEARML_API_HOST).toBe('http://clearml-apiserver.clearml.svc:8008');
  });
});

describe('least privilege', () => {
  test('the glue Role covers pods (and reading events) in its own namespace only; no cluster-wide rights', () => {
    const role = find(example, 'Role', 'clearml-agent-cpu');
    expect(role.metadata.namespace).toBe('clearml-agent-cpu');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'] },
      { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(example.filter((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding')).toEqual([]);
    expect(find(example, 'RoleBinding', 'clearml-agent-cpu').subjects).toEqual([{ kind: 'ServiceAccount', name: 'clearml-agent-cpu', namespace: 'clearml-agent-cpu' }]);
  });

  test('task pods run with their own ServiceAccount, without a token and without any binding', () => {
    const t = templateOf(example, 'gpu');
    expect(t.spec.serviceAccountName).toBe('clearml-agent-gpu-task');
    expect(t.spec.automountServiceAccountToken).toBe(false);
    expect(find(example, 'ServiceAccount', 'clearml-agent-gpu-task').automountServiceAccountToken).toBe(false);
    expect(example.filter((o) => o.kind === 'RoleBinding' && o.subjects.some((s: Manifest) => s.name === 'clearml-agent-gpu-task'))).toEqual([]);
  });

  test('the task namespace enforces Pod Security baseline by default; privileged is an option', () => {
    expect(find(example, 'Namespace', 'clearml-agent-gpu').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
    const objects = synthServer(withAgents({ name: 'dind', queues: ['dind'], podSecurity: 'privileged' }));
    expect(find(objects, 'Namespace', 'clearml-agent-dind').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  test('GPU task pods request the named resource and run where it is', () => {
    const c = templateOf(example, 'gpu').spec.containers[0];
    expect(c.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(templateOf(example, 'gpu').spec.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
  });
});

describe('the glue\'s start script', () => {
  /** Runs start.sh with HOME at a temp dir holding `bin/` (kubectl there or not) and a fake python3 on PATH. */
  const start = (withKubectl: boolean) => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'glue-start-'));
    try {
      fs.mkdirSync(path.join(home, 'bin'));
      fs.mkdirSync(path.join(home, 'tools'));
      if (withKubectl) fs.writeFileSync(path.join(home, 'bin', 'kubectl'), '#!/bin/sh\n', { mode: 0o755 });
      fs.writeFileSync(path.join(home, 'tools', 'python3'), '#!/bin/sh\necho "python3 $*"\n', { mode: 0o755 });
      const script = configOf(example, 'cpu')['start.sh'];
      return spawnSync('/bin/bash', ['-c', script, 'start.sh', '--queue', 'default'], { encoding: 'utf8', env: { HOME: home, PATH: path.join(home, 'tools') } });
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  };

  test('finds kubectl in ~/bin, as the image\'s own entrypoint does, then runs the glue', () => {
    const r = start(true);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('python3 /root/k8s_glue_example.py --queue default\n');
  });

  test('without kubectl it stops at once with the reason, instead of failing every task', () => {
    const r = start(false);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('kubectl is not in the image');
    expect(r.stdout).toBe('');
  });
});

describe('pinned and reproducible', () => {
  test('the glue image is pinned and the glue installs no agent at start unless asked for a version', () => {
    expect(glue(example, 'cpu').image).toBe('allegroai/clearml-agent-k8s-base:1.24-21');
    expect(envOf(glue(example, 'cpu')).AGENT_VERSION).toBeUndefined();
    const pinned = synthServer(withAgents({ name: 'cpu', queues: ['default'], agentVersion: '2.0.4' }));
    expect(envOf(glue(pinned, 'cpu')).AGENT_VERSION).toBe('2.0.4');
    expect(configOf(pinned, 'cpu')['start.sh']).toMatch(/clearml-agent==\$\{AGENT_VERSION\}/);
  });

  test('task pods install a pinned clearml-agent (pip constraint)', () => {
    expect(envOf(templateOf(example, 'cpu').spec.containers[0]).PIP_CONSTRAINT).toBe('/etc/clearml-agent-pin/constraints.txt');
    expect(find(example, 'ConfigMap', 'clearml-agent-cpu-task-pin').data).toEqual({ 'constraints.txt': 'clearml-agent==3.0.3\n' });
  });

  test('queues are created at start when asked (the default), else only the keys are checked', () => {
    const init = find(example, 'Deployment', 'clearml-agent-cpu').spec.template.spec.initContainers[0];
    expect(envOf(init)).toMatchObject({ CREATE_QUEUES: 'true', QUEUES: '["default"]' });
    const off = synthServer(withAgents({ name: 'cpu', queues: ['default'], createQueues: false }));
    expect(envOf(find(off, 'Deployment', 'clearml-agent-cpu').spec.template.spec.initContainers[0]).CREATE_QUEUES).toBe('false');
  });
});

describe('sessions', () => {
  const objects = synthServer(withAgents({ name: 'dev', queues: ['interactive'], sessions: { enabled: true, count: 3, basePort: 30200, externalAddress: '10.0.0.5' } }));

  test('one NodePort Service per session, in front of the task pod the glue labels pod-N', () => {
    const services = objects.filter((o) => o.kind === 'Service' && o.metadata.namespace === 'clearml-agent-dev');
    expect(services.map((s) => [s.metadata.name, s.spec.ports[0].nodePort, s.spec.selector['ai.allegro.agent.serial']])).toEqual([
      ['clearml-agent-dev-session-1', 30200, 'pod-1'],
      ['clearml-agent-dev-session-2', 30201, 'pod-2'],
      ['clearml-agent-dev-session-3', 30202, 'pod-3'],
    ]);
    expect(glue(objects, 'dev').args).toEqual(expect.arrayContaining(['--ports-mode', '--num-of-services', '3', '--base-port', '30199', '--gateway-address', '10.0.0.5']));
    expect(glue(objects, 'dev').args).not.toContain('--max-pods');
  });

  test('task pods then accept the session port from anyone, and nothing else', () => {
    const policy = find(objects, 'NetworkPolicy', 'clearml-agent-dev-task');
    expect(policy.spec.ingress).toEqual([{ ports: [{ protocol: 'TCP', port: 10022 }] }]);
  });
});

describe('the services queue on Kubernetes', () => {
  test('a glue agent serves it without the Docker socket or a privileged pod', () => {
    const objects = synthServer(withAgents({ name: 'services', queues: ['services'] }));
    expect(objects.some((o) => o.metadata.name === 'clearml-agent-services' && o.kind === 'Deployment')).toBe(true);
    const own = objects.filter((o) => o.metadata.namespace === 'clearml-agent-services');
    expect(own.length).toBeGreaterThan(5);
    expect(JSON.stringify(own)).not.toMatch(/docker\.sock|hostPath|"privileged":true/);
    expect(find(objects, 'Namespace', 'clearml-agent-services').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
  });
});

test('taskPods.unsafeEnv replaces the library\'s value deliberately', () => {
  const objects = synthServer(withAgents({ name: 'cpu', queues: ['q'], taskPods: { unsafeEnv: { CLEARML_API_HOST: 'https://api.example.com' } } }));
  expect(envOf(templateOf(objects, 'cpu').spec.containers[0]).CLEARML_API_HOST).toBe('https://api.example.com');
});

describe('refused combinations', () => {
  const cpu: KubernetesAgentOptions = { name: 'cpu', queues: ['default'] };
  test.each<[string, ClearmlServerProps, RegExp]>([
    ['a queue served by two agents', withAgents(cpu, { name: 'cpu2', queues: ['default'] }), /agents\[1\]\.queues\[0\]: "default" is already used by agents\[0\]\.queues\[0\]/],
    ['the services queue while the legacy agent-services runs', { agentServices: { enabled: true, image: 'clearml/clearml-agent-services:1.9.3' }, agents: [{ name: 'svc', queues: ['services'] }] }, /agents\[0\]\.queues\[0\]: "services" is already used by agentServices/],
    ['the glue\'s pending queue as a work queue', withAgents({ name: 'cpu', queues: ['k8s_scheduler'] }), /agents\[0\]\.queues\[0\]: "k8s_scheduler"/],
    ['two agents with one name', withAgents(cpu, { name: 'cpu', queues: ['other'] }), /agents\[1\]\.name: "cpu" is already used/],
    ['a name with "--"', withAgents({ name: 'a--b', queues: ['q'] }), /agents\[0\]\.name/],
    ['a task namespace of Kubernetes\' own (kube-system)', withAgents({ name: 'cpu', queues: ['q'], namespace: 'kube-system' }), /agents\[0\]\.namespace: "kube-system" belongs to Kubernetes/],
    ['the default namespace for tasks', withAgents({ name: 'cpu', queues: ['q'], namespace: 'default' }), /agents\[0\]\.namespace: "default" belongs to Kubernetes/],
    ['task env that overrides the server URL', withAgents({ name: 'cpu', queues: ['q'], taskPods: { env: { clearml_api_host: 'http://elsewhere' } } }), /agents\[0\]\.taskPods\.env\.clearml_api_host: is set by the library; .*agents\[0\]\.taskPods\.unsafeEnv/],
    ['no queue', withAgents({ name: 'cpu', queues: [] }), /agents\[0\]\.queues: name exactly one queue \(got 0\)/],
    ['two queues for one glue', withAgents({ name: 'cpu', queues: ['a', 'b'] }), /agents\[0\]\.queues: name exactly one queue \(got 2\)/],
    ['the server namespace with a weaker Pod Security', withAgents({ ...cpu, namespace: 'clearml', podSecurity: 'privileged' }), /agents\[0\]\.namespace: "clearml" is the server's namespace/],
    ['the privileged namespace', withAgents({ ...cpu, namespace: 'clearml-privileged' }), /agents\[0\]\.namespace: "clearml-privileged" is the privileged namespace/],
    ['two agents in one namespace', withAgents({ ...cpu, namespace: 'ml' }, { name: 'gpu', queues: ['gpu'], namespace: 'ml' }), /agents\[1\]\.namespace: "ml" is already used/],
    ['restricted Pod Security', withAgents({ ...cpu, podSecurity: 'restricted' as 'baseline' }), /agents\[0\]\.podSecurity: "restricted" would refuse/],
    ['a GPU without resource name', withAgents({ ...cpu, taskPods: { gpu: {} as { resourceName: string } } }), /agents\[0\]\.taskPods\.gpu\.resourceName: is required/],
    ['a GPU resource name that is not one', withAgents({ ...cpu, taskPods: { gpu: { resourceName: 'gpu' } } }), /agents\[0\]\.taskPods\.gpu\.resourceName: "gpu" is not an extended resource name/],
    ['session ports over the server\'s NodePorts', withAgents({ ...cpu, sessions: { enabled: true, basePort: 30000 } }), /agents\[0\]\.sessions\.basePort: NodePorts 30000-30009 overlap 30008 of apiserver\.nodePort/],
    ['session ports of two agents overlapping', withAgents({ ...cpu, sessions: { enabled: true } }, { name: 'dev', queues: ['dev'], sessions: { enabled: true, basePort: 30105 } }), /agents\[1\]\.sessions\.basePort: NodePorts 30105-30114 overlap 30105 of agents\[0\]\.sessions/],
    ['session ports past the NodePort range', withAgents({ ...cpu, sessions: { enabled: true, basePort: 32760 } }), /agents\[0\]\.sessions\.basePort: 32769 must be an integer from 30000 to 32767/],
    ['maxPods with sessions', withAgents({ ...cpu, maxPods: 3, sessions: { enabled: true } }), /agents\[0\]\.maxPods: does not apply with sessions/],
    ['sessions options while sessions are off', withAgents({ ...cpu, sessions: { basePort: 30300 } }), /agents\[0\]\.sessions\.enabled: is false/],
    ['an unpinned agent version', withAgents({ ...cpu, agentVersion: '>=2' }), /agents\[0\]\.agentVersion: ">=2" must be an exact release/],
    ['an unpinned task image', withAgents({ ...cpu, taskPods: { defaultImage: 'ubuntu' } }), /agents\[0\]\.taskPods\.defaultImage/],
    ['a mount of a volume that does not exist', withAgents({ ...cpu, taskPods: { volumeMounts: [{ name: 'data', mountPath: '/data' }] } }), /agents\[0\]\.taskPods\.volumeMounts\[0\]\.name: "data" is not one of taskPods\.volumes/],
    ['a task env name the library sets', withAgents({ ...cpu, taskPods: { env: { CLEARML_API_HOST: 'http://elsewhere' } } }), /agents\[0\]\.taskPods\.env\.CLEARML_API_HOST: is set by the library/],
  ])('%s', (_name, props, error) => {
    expect(() => synthServer(props)).toThrow(error);
  });

  test('the server namespace is accepted for tasks when it stays baseline (and is not redeclared)', () => {
    const objects = synthServer(withAgents({ ...cpu, namespace: 'clearml' }));
    expect(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual(['clearml', 'clearml-privileged']);
  });
});

describe('queue setup at glue start (queues.py, run with python3 against a fake API server)', () => {
  const HARNESS = String.raw`
import base64, json, os, runpy, sys, threading, time
from http.server import BaseHTTPRequestHandler, HTTPServer
queues = json.loads(os.environ["EXISTING"])
calls = []
refusals = [int(os.environ["REFUSE_LOGINS"])]
class Api(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        endpoint = self.path.strip("/")
        calls.append(endpoint)
        auth = self.headers["Authorization"]
        if endpoint == "auth.login":
            if refusals[0] > 0 or auth != "Basic " + base64.b64encode(b"AKEY:ASECRET").decode():
                refusals[0] -= 1
                return self.reply(401, {"meta": {"result_code": 401}})
            return self.reply(200, {"data": {"token": "T"}})
        assert auth == "Bearer T", auth
        if endpoint == "queues.get_all":
            import re
            return self.reply(200, {"data": {"queues": [{"id": q} for q in queues if re.match(body["name"], q)]}})
        if endpoint == "queues.create":
            queues.append(body["name"])
            return self.reply(200, {"data": {"id": body["name"]}})
        self.reply(404, {})
    def reply(self, code, payload):
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
server = HTTPServer(("127.0.0.1", 0), Api)
threading.Thread(target=server.serve_forever, daemon=True).start()
os.environ["CLEARML_API_HOST"] = "http://127.0.0.1:%d/" % server.server_port
time.sleep = lambda s: None
code = 0
try:
    runpy.run_path(sys.argv[1], run_name="__main__")
except SystemExit as e:
    code = e.code or 0
print(json.dumps({"code": code, "calls": calls, "queues": queues}))
`;
  const run = (create: boolean, existing: string[], refuseLogins = 0) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-queues-'));
    const script = path.join(dir, 'queues.py');
    fs.writeFileSync(script, configOf(example, 'gpu')['queues.py']);
    const r = spawnSync(PYTHON, ['-c', HARNESS, script], {
      env: { ...process.env, CLEARML_API_ACCESS_KEY: 'AKEY', CLEARML_API_SECRET_KEY: 'ASECRET', CREATE_QUEUES: String(create), QUEUES: '["gpu"]', EXISTING: JSON.stringify(existing), REFUSE_LOGINS: String(refuseLogins) },
      encoding: 'utf8',
    });
    fs.rmSync(dir, { recursive: true, force: true });
    return { ...JSON.parse(r.stdout.trim().split('\n').pop()!), stdout: r.stdout };
  };

  test('waits until the API server accepts the keys, then creates the missing queue', () => {
    const r = run(true, ['default'], 3);
    expect(r.code).toBe(0);
    expect(r.calls).toEqual(['auth.login', 'auth.login', 'auth.login', 'auth.login', 'queues.get_all', 'queues.create']);
    expect(r.queues).toEqual(['default', 'gpu']);
  });

  test('leaves an existing queue alone, and creates nothing when createQueues is false', () => {
    expect(run(true, ['gpu']).calls).toEqual(['auth.login', 'queues.get_all']);
    expect(run(false, []).calls).toEqual(['auth.login']);
  });
});
