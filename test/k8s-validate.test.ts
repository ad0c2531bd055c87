import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { expectValidManifests, ValidateOptions, validateManifests, Violation } from '../lib/validate/k8s-validate';

/*
 * Every rule is tested the same way: a complete, valid baseline set (checked clean with the same
 * options) is cloned, one thing is broken, and the exact violation (object, path, message) must appear.
 */

const NS = 'clearml';
const APP = { 'app.kubernetes.io/name': 'apiserver', 'app.kubernetes.io/part-of': 'clearml' };
const MONGO = { 'app.kubernetes.io/name': 'mongo' };
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A realistic set touching every rule family; in `kubectl apply -f` order. */
function fixtures() {
  const meta = (name: string, extra: Record<string, any> = {}) => ({ name, namespace: NS, ...extra });
  return {
    ns: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'kubernetes.io/metadata.name': NS } } },
    storageClass: {
      apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'clearml-local' },
      provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer',
    },
    config: {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('clearml-config', { annotations: { 'clearml.allegro.ai/rev': '1' } }),
      data: { 'apiserver.conf': 'a = 1\n', LOG_LEVEL: 'info' },
    },
    secret: {
      apiVersion: 'v1', kind: 'Secret', metadata: meta('clearml-secrets'), type: 'Opaque',
      data: { 'secret-key': b64('s3cr3t') }, stringData: { 'access-key': 'AK' },
    },
    tls: {
      apiVersion: 'v1', kind: 'Secret', metadata: meta('clearml-tls'), type: 'kubernetes.io/tls',
      data: { 'tls.crt': b64('cert'), 'tls.key': b64('key') },
    },
    sa: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('clearml') },
    pv: {
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'clearml-data-pv' },
      spec: {
        capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'clearml-local',
        persistentVolumeReclaimPolicy: 'Retain', local: { path: '/mnt/clearml/data' },
        claimRef: { name: 'clearml-data', namespace: NS },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1'] }] }] } },
      },
    },
    pvc: {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('clearml-data'),
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'clearml-local', volumeName: 'clearml-data-pv', resources: { requests: { storage: '10Gi' } } },
    },
    deploy: {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('clearml-apiserver', { labels: APP }),
      spec: {
        replicas: 2,
        selector: { matchLabels: APP, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: { labels: { ...APP, tier: 'api' }, annotations: { 'checksum/config': 'abc' } },
          spec: {
            serviceAccountName: 'clearml',
            securityContext: { runAsUser: 1000, fsGroup: 1000 },
            hostPID: true,
            initContainers: [{ name: 'wait', image: 'busybox:1.37.0', command: ['sh', '-c', 'true'] }],
            containers: [{
              name: 'apiserver', image: 'clearml/server:2.3.0',
              ports: [{ name: 'http', containerPort: 8008 }, { name: 'metrics', containerPort: 9090, protocol: 'TCP' }],
              env: [
                { name: 'CLEARML__LOG_LEVEL', valueFrom: { configMapKeyRef: { name: 'clearml-config', key: 'LOG_LEVEL' } } },
                { name: 'SECRET_KEY', valueFrom: { secretKeyRef: { name: 'clearml-secrets', key: 'secret-key' } } },
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'OPTIONAL', valueFrom: { secretKeyRef: { name: 'not-there', key: 'x', optional: true } } },
              ],
              envFrom: [{ secretRef: { name: 'clearml-secrets' } }],
              volumeMounts: [{ name: 'config', mountPath: '/opt/clearml/config' }, { name: 'data', mountPath: '/data' }],
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: 1, memory: '1Gi' } },
              livenessProbe: { httpGet: { path: '/debug.ping', port: 'http' }, periodSeconds: 10, successThreshold: 1 },
              readinessProbe: { tcpSocket: { port: 8008 }, successThreshold: 2 },
              startupProbe: { exec: { command: ['true'] }, failureThreshold: 30 },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            }],
            volumes: [
              { name: 'config', configMap: { name: 'clearml-config', items: [{ key: 'apiserver.conf', path: 'apiserver.conf' }] } },
              { name: 'data', persistentVolumeClaim: { claimName: 'clearml-data' } },
            ],
          },
        },
      },
    },
    service: {
      apiVersion: 'v1', kind: 'Service', metadata: meta('clearml-apiserver', { labels: APP }),
      spec: {
        type: 'NodePort', externalTrafficPolicy: 'Local', selector: APP,
        ports: [{ name: 'http', port: 8008, targetPort: 'http', nodePort: 30008 }, { name: 'metrics', port: 9090, targetPort: 9090 }],
      },
    },
    mongoService: {
      apiVersion: 'v1', kind: 'Service', metadata: meta('clearml-mongo'),
      spec: { clusterIP: 'None', selector: MONGO, ports: [{ port: 27017 }] },
    },
    sts: {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta('clearml-mongo'),
      spec: {
        serviceName: 'clearml-mongo', replicas: 1, selector: { matchLabels: MONGO },
        template: {
          metadata: { labels: MONGO },
          spec: { containers: [{ name: 'mongo', image: 'mongo:7.0.22', ports: [{ name: 'mongo', containerPort: 27017 }], volumeMounts: [{ name: 'db', mountPath: '/data/db' }] }] },
        },
        volumeClaimTemplates: [{ metadata: { name: 'db' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } } }],
      },
    },
    ds: {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta('clearml-host-prep'),
      spec: {
        selector: { matchLabels: { app: 'host-prep' } },
        template: {
          metadata: { labels: { app: 'host-prep' } },
          spec: {
            tolerations: [{ operator: 'Exists' }, { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            initContainers: [{ name: 'sysctl', image: 'busybox:1.37.0', securityContext: { privileged: true } }],
            containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', volumeMounts: [{ name: 'host', mountPath: '/host' }] }],
            volumes: [{ name: 'host', hostPath: { path: '/var/lib/clearml', type: 'DirectoryOrCreate' } }],
          },
        },
      },
    },
    job: {
      apiVersion: 'batch/v1', kind: 'Job', metadata: meta('clearml-migrate'),
      spec: { backoffLimit: 3, template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'migrate', image: 'clearml/server:2.3.0' }] } } },
    },
    cron: {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('clearml-cleanup'),
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'cleanup', image: 'clearml/server:2.3.0' }] } } } },
      },
    },
    ingress: {
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta('clearml'),
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: ['app.clearml.example.com'], secretName: 'clearml-tls' }],
        rules: [{
          host: '*.clearml.example.com',
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'clearml-apiserver', port: { name: 'http' } } } }] },
        }],
      },
    },
    netpol: {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('clearml-apiserver'),
      spec: {
        podSelector: { matchLabels: APP }, policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NS } } }], ports: [{ protocol: 'TCP', port: 8008 }, { port: 'http' }] }],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 30000, endPort: 32767 }] }],
      },
    },
    pdb: {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta('clearml-apiserver'),
      spec: { minAvailable: 1, selector: { matchLabels: APP } },
    },
    role: {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta('clearml-reader'),
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
    },
    roleBinding: {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta('clearml-reader'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'clearml-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'clearml' }],
    },
    clusterRole: {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'clearml:node-reader' },
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }, { nonResourceURLs: ['/healthz'], verbs: ['get'] }],
    },
    clusterRoleBinding: {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'clearml:node-reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'clearml:node-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'clearml', namespace: NS }, { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'ops' }],
    },
    serviceMonitor: {
      apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: meta('clearml-apiserver', { labels: { release: 'kps' } }),
      spec: {
        selector: { matchLabels: APP, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] },
        endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s', scrapeTimeout: '10s', relabelings: [{ action: 'replace', targetLabel: 'member', replacement: 'api-0' }] }],
      },
    },
    podMonitor: {
      apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: meta('clearml-apiserver'),
      spec: { selector: { matchLabels: APP }, podMetricsEndpoints: [{ port: 'metrics', interval: '1m' }] },
    },
    rules: {
      apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: meta('clearml-alerts'),
      spec: {
        groups: [{
          name: 'clearml', interval: '1m',
          rules: [
            { record: 'clearml:http_requests:rate5m', expr: 'sum by (code) (rate(http_requests_total{code!~"5..", path="/a(b"}[5m]))' },
            { alert: 'ApiserverDown', expr: 'absent(up{job="clearml-apiserver"} == 1) # no target answers )', for: '5m', labels: { severity: 'critical' }, annotations: { summary: 'The apiserver is down', runbook_url: 'https://example.com/runbook#apiserverdown' } },
          ],
        }],
      },
    },
  };
}

/** A mutable copy of the fixtures; `any` so that tests can break them freely. */
type Manifests = Record<string, any>;
const STRICT: ValidateOptions = { requireNamespaces: true, requireReferences: true };

const ID = {
  ns: `v1 Namespace ${NS}`,
  config: `v1 ConfigMap ${NS}/clearml-config`,
  secret: `v1 Secret ${NS}/clearml-secrets`,
  tls: `v1 Secret ${NS}/clearml-tls`,
  pv: 'v1 PersistentVolume clearml-data-pv',
  pvc: `v1 PersistentVolumeClaim ${NS}/clearml-data`,
  deploy: `apps/v1 Deployment ${NS}/clearml-apiserver`,
  service: `v1 Service ${NS}/clearml-apiserver`,
  mongoService: `v1 Service ${NS}/clearml-mongo`,
  sts: `apps/v1 StatefulSet ${NS}/clearml-mongo`,
  ds: `apps/v1 DaemonSet ${NS}/clearml-host-prep`,
  job: `batch/v1 Job ${NS}/clearml-migrate`,
  cron: `batch/v1 CronJob ${NS}/clearml-cleanup`,
  ingress: `networking.k8s.io/v1 Ingress ${NS}/clearml`,
  netpol: `networking.k8s.io/v1 NetworkPolicy ${NS}/clearml-apiserver`,
  pdb: `policy/v1 PodDisruptionBudget ${NS}/clearml-apiserver`,
  role: `rbac.authorization.k8s.io/v1 Role ${NS}/clearml-reader`,
  roleBinding: `rbac.authorization.k8s.io/v1 RoleBinding ${NS}/clearml-reader`,
  clusterRole: 'rbac.authorization.k8s.io/v1 ClusterRole clearml:node-reader',
  clusterRoleBinding: 'rbac.authorization.k8s.io/v1 ClusterRoleBinding clearml:node-reader',
  serviceMonitor: `monitoring.coreos.com/v1 ServiceMonitor ${NS}/clearml-apiserver`,
  podMonitor: `monitoring.coreos.com/v1 PodMonitor ${NS}/clearml-apiserver`,
  rules: `monitoring.coreos.com/v1 PrometheusRule ${NS}/clearml-alerts`,
};

function validate(mutate: (set: Manifests) => void = () => undefined, options: ValidateOptions = STRICT): Violation[] {
  const set: Manifests = JSON.parse(JSON.stringify(fixtures()));
  mutate(set);
  return validateManifests(Object.values(set), options);
}

// Short-hands into the baseline.
const pod = (s: Manifests) => s.deploy.spec.template.spec;
const app = (s: Manifests) => pod(s).containers[0];
const C = 'spec.template.spec.containers[0]';

interface Case {
  readonly name: string;
  readonly mutate: (set: Manifests) => void;
  readonly object: string;
  readonly path: string;
  readonly message: RegExp;
  readonly options?: ValidateOptions;
}

const baselines = new Map<string, Violation[]>();
/** The baseline's violations with these options, validated once per options: the baseline is fixed. */
function baselineViolations(options: ValidateOptions): Violation[] {
  const key = JSON.stringify(options);
  if (!baselines.has(key)) baselines.set(key, validate(undefined, options));
  return baselines.get(key)!;
}

function expectCase(c: Case): void {
  expect(baselineViolations(c.options ?? STRICT)).toEqual([]);
  expect(validate(c.mutate, c.options ?? STRICT)).toContainEqual({ object: c.object, path: c.path, message: expect.stringMatching(c.message) });
}

test('the baseline set is valid, strict options included', () => {
  expect(validate()).toEqual([]);
});

test('reports one violation per path: the API rule wins over the generic schema message', () => {
  const violations = validate(s => { delete app(s).name; }).filter(v => v.path === `${C}.name`);
  expect(violations).toEqual([{ object: ID.deploy, path: `${C}.name`, message: 'is required' }]);
});

describe('1. schema (kubernetes-models)', () => {
  const cases: Case[] = [
    { name: 'wrong type', mutate: s => { s.deploy.spec.replicas = 'two'; }, object: ID.deploy, path: 'spec.replicas', message: /schema: must be integer/ },
    { name: 'required field', mutate: s => { delete s.storageClass.provisioner; }, object: 'storage.k8s.io/v1 StorageClass clearml-local', path: 'provisioner', message: /schema: is required/ },
    { name: 'enum', mutate: s => { s.service.spec.type = 'Public'; }, object: ID.service, path: 'spec.type', message: /schema: must be one of: .*NodePort/ },
    { name: 'IntOrString branches folded into one line', mutate: s => { s.service.spec.ports[0].targetPort = true; }, object: ID.service, path: 'spec.ports[0].targetPort', message: /schema: must satisfy one of: must be string \| must be integer/ },
    { name: 'map keys are bracketed in paths', mutate: s => { s.deploy.metadata.labels['app.kubernetes.io/name'] = 7; }, object: ID.deploy, path: 'metadata.labels["app.kubernetes.io/name"]', message: /schema: must be string/ },
    { name: 'unknown kind', mutate: s => { s.deploy.kind = 'Deploymnt'; }, object: `apps/v1 Deploymnt ${NS}/clearml-apiserver`, path: 'kind', message: /unknown apiVersion\/kind "apps\/v1 Deploymnt": no such Kubernetes API/ },
    { name: 'API version not served by 1.27', mutate: s => { s.deploy.apiVersion = 'apps/v1beta2'; }, object: `apps/v1beta2 Deployment ${NS}/clearml-apiserver`, path: 'apiVersion', message: /unknown apiVersion\/kind "apps\/v1beta2 Deployment": not served by Kubernetes 1.27/ },
    { name: 'API version newer than 1.27', mutate: s => { s.flow = { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: 'x' }, spec: { priorityLevelConfiguration: { name: 'workload-low' } } }; }, object: 'flowcontrol.apiserver.k8s.io/v1 FlowSchema x', path: 'apiVersion', message: /not served by Kubernetes 1.27/ },
    {
      name: 'beta API that later releases removed',
      mutate: s => { s.flow = { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', kind: 'FlowSchema', metadata: { name: 'clearml' }, spec: { priorityLevelConfiguration: { name: 'workload-low' } } }; },
      object: 'flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema clearml', path: 'apiVersion', message: /not a stable API/,
    },
  ];
  it.each(cases.map(c => [c.name, c]))('%s', (_, c) => expectCase(c as Case));
});

describe('2. unknown fields (k8s.js field graph)', () => {
  const cases: Case[] = [
    { name: 'typo in a container', mutate: s => { app(s).imagePullPolicyy = 'Always'; }, object: ID.deploy, path: `${C}.imagePullPolicyy`, message: /unknown field "imagePullPolicyy" \(not in the Container schema\)/ },
    { name: 'TypeScript name instead of JSON name', mutate: s => { pod(s).hostPid = true; }, object: ID.deploy, path: 'spec.template.spec.hostPid', message: /unknown field "hostPid"/ },
    { name: 'top level', mutate: s => { s.config.spec = {}; }, object: ID.config, path: 'spec', message: /unknown field "spec" \(not in the ConfigMap schema\)/ },
    { name: 'inside an array of objects', mutate: s => { s.service.spec.ports[1].nodeport = 30001; }, object: ID.service, path: 'spec.ports[1].nodeport', message: /unknown field "nodeport"/ },
    { name: 'deep in metadata', mutate: s => { s.deploy.spec.template.metadata.label = {}; }, object: ID.deploy, path: 'spec.template.metadata.label', message: /unknown field "label" \(not in the ObjectMeta schema\)/ },
    { name: 'inside a volume source', mutate: s => { pod(s).volumes[0].configMap.defaultmode = 420; }, object: ID.deploy, path: 'spec.template.spec.volumes[0].configMap.defaultmode', message: /unknown field "defaultmode"/ },
  ];
  it.each(cases.map(c => [c.name, c]))('%s', (_, c) => expectCase(c as Case));

  it('treats free-form maps and IntOrString/Quantity as leaves', () => {
    expect(validate(s => {
      s.deploy.metadata.annotations = { 'anything.example.com/x': 'y' };
      s.config.data['weird.key-_1'] = 'v';
      s.deploy.spec.strategy.rollingUpdate.maxSurge = '25%';
      app(s).resources.limits['nvidia.com/gpu'] = 1;
    })).toEqual([]);
  });
});

describe('3a. names, namespaces, labels and annotations', () => {
  const cases: Case[] = [
    { name: 'missing name', mutate: s => { delete s.config.metadata.name; }, object: `v1 ConfigMap ${NS}/#2`, path: 'metadata.name', message: /is required/ },
    { name: 'name not a DNS-1123 subdomain', mutate: s => { s.config.metadata.name = 'Clearml_Config'; }, object: `v1 ConfigMap ${NS}/Clearml_Config`, path: 'metadata.name', message: /"Clearml_Config" must be a DNS-1123 subdomain/ },
    { name: 'subdomain too long', mutate: s => { s.config.metadata.name = 'a'.repeat(254); }, object: `v1 ConfigMap ${NS}/${'a'.repeat(254)}`, path: 'metadata.name', message: /no more than 253/ },
    { name: 'Namespace name is a label', mutate: s => { s.ns.metadata.name = 'clear.ml'; }, object: 'v1 Namespace clear.ml', path: 'metadata.name', message: /DNS-1123 label/ },
    { name: 'Service name is a DNS-1035 label', mutate: s => { s.mongoService.metadata.name = '1mongo'; }, object: `v1 Service ${NS}/1mongo`, path: 'metadata.name', message: /DNS-1035 label/ },
    { name: 'Deployment name may be a subdomain, not more', mutate: s => { s.deploy.metadata.name = 'clearml.apiserver-'; }, object: `apps/v1 Deployment ${NS}/clearml.apiserver-`, path: 'metadata.name', message: /DNS-1123 subdomain/ },
    { name: 'StatefulSet names leave room for pod suffixes', mutate: s => { s.sts.metadata.name = 'm'.repeat(53); }, object: `apps/v1 StatefulSet ${NS}/${'m'.repeat(53)}`, path: 'metadata.name', message: /no more than 52/ },
    { name: 'CronJob names leave room for job suffixes', mutate: s => { s.cron.metadata.name = 'c'.repeat(53); }, object: `batch/v1 CronJob ${NS}/${'c'.repeat(53)}`, path: 'metadata.name', message: /no more than 52/ },
    { name: 'Job names fit the job-name label', mutate: s => { s.job.metadata.name = 'j'.repeat(64); }, object: `batch/v1 Job ${NS}/${'j'.repeat(64)}`, path: 'metadata.name', message: /no more than 63/ },
    { name: 'RBAC names are path segments', mutate: s => { s.role.metadata.name = 'clearml/reader'; s.roleBinding.roleRef.name = 'clearml/reader'; }, object: `rbac.authorization.k8s.io/v1 Role ${NS}/clearml/reader`, path: 'metadata.name', message: /may not contain '\/'/ },
    { name: 'namespaced kind without namespace', mutate: s => { delete s.sa.metadata.namespace; }, object: 'v1 ServiceAccount clearml', path: 'metadata.namespace', message: /is required/ },
    { name: 'cluster-scoped kind with namespace', mutate: s => { s.pv.metadata.namespace = NS; }, object: `v1 PersistentVolume ${NS}/clearml-data-pv`, path: 'metadata.namespace', message: /must not be set: PersistentVolume is cluster-scoped/ },
    { name: 'namespace is a label', mutate: s => { s.sa.metadata.namespace = 'Clearml'; }, object: 'v1 ServiceAccount Clearml/clearml', path: 'metadata.namespace', message: /DNS-1123 label/, options: {} },
    { name: 'label key prefix', mutate: s => { s.deploy.metadata.labels = { 'Example.com/app': 'x' }; }, object: ID.deploy, path: 'metadata.labels["Example.com/app"]', message: /key prefix part/ },
    { name: 'label key name part', mutate: s => { s.deploy.metadata.labels = { 'example.com/-app': 'x' }; }, object: ID.deploy, path: 'metadata.labels["example.com/-app"]', message: /key name part/ },
    { name: 'label value', mutate: s => { s.deploy.metadata.labels = { app: 'a b' }; }, object: ID.deploy, path: 'metadata.labels.app', message: /value "a b"/ },
    { name: 'label value length', mutate: s => { s.deploy.metadata.labels = { app: 'v'.repeat(64) }; }, object: ID.deploy, path: 'metadata.labels.app', message: /no more than 63/ },
    { name: 'template labels too', mutate: s => { s.sts.spec.template.metadata.labels.bad = 'x y'; }, object: ID.sts, path: 'spec.template.metadata.labels.bad', message: /value "x y"/ },
    { name: 'annotation key', mutate: s => { s.config.metadata.annotations = { 'a/b/c': 'x' }; }, object: ID.config, path: 'metadata.annotations["a/b/c"]', message: /qualified name/ },
    { name: 'annotation total size', mutate: s => { s.config.metadata.annotations = { big: 'x'.repeat(256 * 1024) }; }, object: ID.config, path: 'metadata.annotations', message: /exceeds 262144/ },
  ];
  it.each(cases.map(c => [c.name, c]))('%s', (_, c) => expectCase(c as Case));
});

describe('3b. containers', () => {
  const cases: Case[] = [
    { name: 'container name', mutate: s => { app(s).name = 'API_server'; }, object: ID.deploy, path: `${C}.name`, message: /DNS-1123 label/ },
    { name: 'container names unique across init and app containers', mutate: s => { pod(s).initContainers[0].name = 'apiserver'; }, object: ID.deploy, path: `${C}.name`, message: /duplicate container name "apiserver"/ },
    { name: 'image required', mutate: s => { delete pod(s).initContainers[0].image; }, object: ID.deploy, path: 'spec.template.spec.initContainers[0].image', message: /is required/ },
    { name: 'at least one container', mutate: s => { s.job.spec.template.spec.containers = []; }, object: ID.job, path: 'spec.template.spec.containers', message: /at least one container/ },
    { name: 'port name length', mutate: s => { app(s).ports[0].name = 'http-api-server-1'; }, object: ID.deploy, path: `${C}.ports[0].name`, message: /no more than 15/ },
    { name: 'port name needs a letter', mutate: s => { app(s).ports[0].name = '8008'; }, object: ID.deploy, path: `${C}.ports[0].name`, message: /at least one letter/ },
    { name: 'port name double dash', mutate: s => { app(s).ports[0].name = 'ht--tp'; }, object: ID.deploy, path: `${C}.ports[0].name`, message: /consecutive '-'/ },
    { name: 'port names unique per container', mutate: s => { app(s).ports[1].name = 'http'; }, object: ID.deploy, path: `${C}.ports[1].name`, message: /duplicate port name "http"/ },
    { name: 'port names unique across the pod', mutate: s => { pod(s).initContainers[0].ports = [{ name: 'http', containerPort: 1 }]; }, object: ID.deploy, path: `${C}.ports[0].name`, message: /duplicate port name "http" in the pod \(also spec\.template\.spec\.initContainers\[0\]\.ports\[0\]\)/ },
    { name: 'containerPort range', mutate: s => { app(s).ports[1].containerPort = 70000; }, object: ID.deploy, path: `${C}.ports[1].containerPort`, message: /between 1 and 65535/ },
    { name: 'containerPort/protocol unique', mutate: s => { app(s).ports[1].containerPort = 8008; }, object: ID.deploy, path: `${C}.ports[1].containerPort`, message: /duplicate containerPort\/protocol 8008\/TCP/ },
    { name: 'hostNetwork needs hostPort == containerPort', mutate: s => { pod(s).hostNetwork = true; app(s).ports[0].hostPort = 80; }, object: ID.deploy, path: `${C}.ports[0].hostPort`, message: /must match containerPort/ },
    { name: 'env var name (1.27 rule)', mutate: s => { app(s).env[2].name = '1POD'; }, object: ID.deploy, path: `${C}.env[2].name`, message: /env var name/ },
    { name: 'env var names unique', mutate: s => { app(s).env[2].name = 'SECRET_KEY'; }, object: ID.deploy, path: `${C}.env[2].name`, message: /duplicate env var SECRET_KEY/ },
    { name: 'value and valueFrom', mutate: s => { app(s).env[0].value = 'x'; }, object: ID.deploy, path: `${C}.env[0].valueFrom`, message: /may not be specified when value is not empty/ },
    { name: 'valueFrom with two sources', mutate: s => { app(s).env[2].valueFrom.secretKeyRef = { name: 'clearml-secrets', key: 'secret-key' }; }, object: ID.deploy, path: `${C}.env[2].valueFrom`, message: /exactly one source \(got 2\)/ },
    { name: 'unsupported fieldRef path', mutate: s => { app(s).env[2].valueFrom.fieldRef.fieldPath = 'metadata.labels'; }, object: ID.deploy, path: `${C}.env[2].valueFrom.fieldRef.fieldPath`, message: /not a supported downward API field path/ },
    { name: 'configMapKeyRef key format', mutate: s => { app(s).env[0].valueFrom.configMapKeyRef.key = 'log level'; }, object: ID.deploy, path: `${C}.env[0].valueFrom.configMapKeyRef.key`, message: /alphanumerics/ },
    { name: 'envFrom with no source', mutate: s => { app(s).envFrom = [{ prefix: 'X_' }]; }, object: ID.deploy, path: `${C}.envFrom[0]`, message: /exactly one of configMapRef, secretRef/ },
    { name: 'envFrom prefix', mutate: s => { app(s).envFrom[0].prefix = '1X'; }, object: ID.deploy, path: `${C}.envFrom[0].prefix`, message: /env var name/ },
    { name: 'volumeMount of an undefined volume', mutate: s => { app(s).volumeMounts[1].name = 'cache'; }, object: ID.deploy, path: `${C}.volumeMounts[1].name`, message: /volume "cache" is not defined/ },
    { name: 'mountPath unique', mutate: s => { app(s).volumeMounts[1].mountPath = '/opt/clearml/config'; }, object: ID.deploy, path: `${C}.volumeMounts[1].mountPath`, message: /duplicate mountPath/ },
    { name: 'subPath must be relative', mutate: s => { app(s).volumeMounts[1].subPath = '../etc'; }, object: ID.deploy, path: `${C}.volumeMounts[1].subPath`, message: /must not contain '\.\.'/ },
    { name: 'request above limit', mutate: s => { app(s).resources.requests.memory = '2Gi'; }, object: ID.deploy, path: `${C}.resources.requests.memory`, message: /request 2Gi must be less than or equal to the memory limit 1Gi/ },
    { name: 'request above limit across units', mutate: s => { app(s).resources.requests.cpu = '1001m'; }, object: ID.deploy, path: `${C}.resources.requests.cpu`, message: /less than or equal to the cpu limit 1/ },
    { name: 'invalid quantity', mutate: s => { app(s).resources.limits.memory = '1GB'; }, object: ID.deploy, path: `${C}.resources.limits.memory`, message: /"1GB" is not a valid quantity/ },
    { name: 'negative quantity', mutate: s => { app(s).resources.requests.cpu = '-1'; }, object: ID.deploy, path: `${C}.resources.requests.cpu`, message: /greater than or equal to 0/ },
    { name: 'non-standard resource name', mutate: s => { app(s).resources.limits.gpu = 1; }, object: ID.deploy, path: `${C}.resources.limits.gpu`, message: /standard resource/ },
    { name: 'probe with no handler', mutate: s => { app(s).startupProbe = { failureThreshold: 3 }; }, object: ID.deploy, path: `${C}.startupProbe`, message: /exactly one handler .*got none/ },
    { name: 'probe with two handlers', mutate: s => { app(s).readinessProbe.exec = { command: ['true'] }; }, object: ID.deploy, path: `${C}.readinessProbe`, message: /exactly one handler .*got exec, tcpSocket/ },
    { name: 'probe port range', mutate: s => { app(s).readinessProbe.tcpSocket.port = 0; }, object: ID.deploy, path: `${C}.readinessProbe.tcpSocket.port`, message: /between 1 and 65535/ },
    { name: 'probe named port must exist', mutate: s => { app(s).livenessProbe.httpGet.port = 'admin'; }, object: ID.deploy, path: `${C}.livenessProbe.httpGet.port`, message: /named port "admin" is not declared/ },
    { name: 'probe named port must be a port name', mutate: s => { app(s).livenessProbe.httpGet.port = '8008'; }, object: ID.deploy, path: `${C}.livenessProbe.httpGet.port`, message: /neither a port number nor a valid port name/ },
    { name: 'liveness successThreshold', mutate: s => { app(s).livenessProbe.successThreshold = 2; }, object: ID.deploy, path: `${C}.livenessProbe.successThreshold`, message: /must be 1 for liveness and startup/ },
    { name: 'startup successThreshold', mutate: s => { app(s).startupProbe.successThreshold = 3; }, object: ID.deploy, path: `${C}.startupProbe.successThreshold`, message: /must be 1/ },
    { name: 'probes on init containers (no sidecars in 1.27)', mutate: s => { pod(s).initContainers[0].readinessProbe = { exec: { command: ['true'] } }; }, object: ID.deploy, path: 'spec.template.spec.initContainers[0].readinessProbe', message: /may not be set for init containers/ },
    { name: 'lifecycle handler', mutate: s => { app(s).lifecycle = { preStop: {} }; }, object: ID.deploy, path: `${C}.lifecycle.preStop`, message: /exactly one handler/ },
    { name: 'privileged without escalation', mutate: s => { app(s).securityContext.privileged = true; }, object: ID.deploy, path: `${C}.securityContext.allowPrivilegeEscalation`, message: /cannot be false when privileged is true/ },
    { name: 'SYS_ADMIN without escalation', mutate: s => { app(s).securityContext.capabilities.add = ['CAP_SYS_ADMIN']; }, object: ID.deploy, path: `${C}.securityContext.allowPrivilegeEscalation`, message: /SYS_ADMIN/ },
    { name: 'negative runAsUser', mutate: s => { pod(s).securityContext.runAsUser = -1; }, object: ID.deploy, path: 'spec.template.spec.securityContext.runAsUser', message: /between 0 and/ },
  ];
  it.each(cases.map(c => [c.name, c]))('%s', (_, c) => expectCase(c as Case));
});

describe('3c. pod specs and volumes', () => {
  const P = 'spec.template.spec';
  const cases: Case[] = [
    { name: 'Deployment pods always restart', mutate: s => { pod(s).restartPolicy = 'OnFailure'; }, object: ID.deploy, path: `${P}.restartPolicy`, message: /"OnFailure" is not supported for Deployment pods; must be one of: Always/ },
    { name: 'DaemonSet pods always restart', mutate: s => { s.ds.spec.template.spec.restartPolicy = 'Never'; }, object: ID.ds, path: `${P}.restartPolicy`, message: /not supported for DaemonSet pods/ },
    { name: 'StatefulSet pods always restart', mutate: s => { s.sts.spec.template.spec.restartPolicy = 'Never'; }, object: ID.sts, path: `${P}.restartPolicy`, message: /not supported for StatefulSet pods/ },
    { name: 'Job pods must not restart Always (the default)', mutate: s => { delete s.job.spec.template.spec.restartPolicy; }, object: ID.job, path: `${P}.restartPolicy`, message: /"Always" is not supported for Job pods; must be one of: OnFailure, Never/ },
    { name: 'CronJob pods too', mutate: s => { s.cron.spec.jobTemplate.spec.template.spec.restartPolicy = 'Always'; }, object: ID.cron, path: `spec.jobTemplate.${P}.restartPolicy`, message: /not supported for CronJob pods/ },
    { name: 'no deadline for long-running pods', mutate: s => { pod(s).activeDeadlineSeconds = 60; }, object: ID.deploy, path: `${P}.activeDeadlineSeconds`, message: /must not be set for Deployment pods/ },
    { name: 'volume name', mutate: s => { pod(s).volumes[0].name = 'Config'; app(s).volumeMounts[0].name = 'Config'; }, object: ID.deploy, path: `${P}.volumes[0].name`, message: /DNS-1123 label/ },
    { name: 'volume names unique', mutate: s => { pod(s).volumes[1].name = 'config'; app(s).volumeMounts[1].name = 'config'; app(s).volumeMounts[1].mountPath = '/x'; }, object: ID.deploy, path: `${P}.volumes[1].name`, message: /duplicate volume name config/ },
    { name: 'one source per volume', mutate: s => { pod(s).volumes[0].emptyDir = {}; }, object: ID.deploy, path: `${P}.volumes[0]`, message: /more than 1 volume type \(got configMap, emptyDir\)/ },
    { name: 'configMap volume name', mutate: s => { pod(s).volumes[0].configMap.name = 'Clearml'; }, object: ID.deploy, path: `${P}.volumes[0].configMap.name`, message: /DNS-1123 subdomain/ },
    { name: 'secret volume needs secretName', mutate: s => { pod(s).volumes[0] = { name: 'config', secret: {} }; }, object: ID.deploy, path: `${P}.volumes[0].secret.secretName`, message: /is required/ },
    { name: 'volume item path relative', mutate: s => { pod(s).volumes[0].configMap.items[0].path = '/etc/x'; }, object: ID.deploy, path: `${P}.volumes[0].configMap.items[0].path`, message: /relative path/ },
    { name: 'hostPath absolute', mutate: s => { s.ds.spec.template.spec.volumes[0].hostPath.path = 'var/lib/clearml'; }, object: ID.ds, path: `${P}.volumes[0].hostPath.path`, message: /absolute path/ },
    { name: 'hostPath without ..', mutate: s => { s.ds.spec.template.spec.volumes[0].hostPath.path = '/var/../etc'; }, object: ID.ds, path: `${P}.volumes[0].hostPath.path`, message: /'\.\.'/ },
    { name: 'emptyDir sizeLimit', mutate: s => { pod(s).volumes.push({ name: 'tmp', emptyDir: { sizeLimit: '1 Gi' } }); }, object: ID.deploy, path: `${P}.volumes[2].emptyDir.sizeLimit`, message: /not a valid quantity/ },
    { name: 'projected sources', mutate: s => { pod(s).volumes.push({ name: 'p', projected: { sources: [{ configMap: { name: 'clearml-config' }, secret: { name: 'clearml-secrets' } }] } }); }, object: ID.deploy, path: `${P}.volumes[2].projected.sources[0]`, message: /exactly one projection source \(got 2\)/ },
    {
      name: 'bare Pods may use any restartPolicy but keep the other rules',
      mutate: s => { s.pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: NS }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 0 }] }] } }; },
      object: `v1 Pod ${NS}/debug`, path: 'spec.containers[0].ports[0].containerPort', message: /between 1 and 65535/,
    },
    { name: 'serviceAccountName format', mutate: s => { pod(s).serviceAccountName = 'ClearML'; }, object: ID.deploy, path: `${P}.serviceAccountName`, message: /DNS-1123 subdomain/ },
    { name: 'nodeSelector is a label map', mutate: s => { s.ds.spec.template.spec.nodeSelector = { 'kubernetes.io/os': 'linux os' }; }, object: ID.ds, path: `${P}.nodeSelector["kubernetes.io/os"]`, message: /value "linux os"/ },
    { name: 'toleration Exists with value', mutate: s => { s.ds.spec.template.spec.tolerations[0].value = 'x'; }, object: ID.ds, path: `${P}.tolerations[0].value`, message: /must be empty when operator is 'Exists'/ },
    { name: 'toleration without key must be Exists', mutate: s => { delete s.ds.spec.template.spec.tolerations[1].key; }, object: ID.ds, path: `${P}.tolerations[1].operator`, message: /must be 'Exists' when key is empty/ },
    { name: 'dnsPolicy None needs dnsConfig', mutate: s => { pod(s).dnsPolicy = 'None'; }, object: ID.deploy, path: `${P}.dnsConfig`, message: /required when dnsPolicy is 'None'/ },
  ];
  it.each(cases.map(c => [c.name, c]))('%s', (_, c) => expectCase(c as Case));
});

describe('3d. workload controllers', () => {
  const cases: Case[] = [
    { name: 'empty selector', mutate: s => { s.deploy.spec.selector = {}; }, object: ID.deploy, path: 'spec.selector', message: /empty selector is invalid for Deployment/ },
    { name: 'selector/labels mismatch', mutate: s => { s.deploy.spec.selector.matchLabels = { 'app.kubernetes.io/name': 'webserver' }; }, object: ID.deploy, path: 'spec.template.metadata.labels', message: /`selector` does not match template `labels`/ },
    { name: 'matchExpressions honoured', mutate: s => { s.deploy.spec.selector.matchExpressions[0] = { key: 'tier', operator: 'In', values: ['db'] }; }, object: ID.deploy, path: 'spec.template.metadata.labels', message: /does not match/ },
    { name: 'matchExpressions operator/values', mutate: s => { s.deploy.spec.selector.matchExpressions[0].values = []; }, object: ID.deploy, path: 'spec.selector.matchExpressions[0].values', message: /non-empty for operator NotIn/ },
    { name: 'StatefulSet selector', mutate: s => { s.sts.spec.selector.matchLabels = { app: 'other' }; }, object: ID.sts, path: 'spec.template.metadata.labels', message: /does not match/ },
    { name: 'DaemonSet selector', mutate: s => { s.ds.spec.selector = { matchLabels: {} }; }, object: ID.ds, path: 'spec.selector', message: /empty selector is invalid for DaemonSet/ },
    {
      name: 'ReplicaSet selector',
      mutate: s => { s.rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: NS }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'c' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } }; },
      object: `apps/v1 ReplicaSet ${NS}/rs`, path: 'spec.template.metadata.labels', message: /does not match/,
    },
    { name: 'Job selector is generated', mutate: s => { s.job.spec.selector = { matchLabels: { a: 'b' } }; s.job.spec.template.metadata = { labels: { a: 'b' } }; }, object: ID.job, path: 'spec.selector', message: /not auto-generated/ },
    { name: 'Job manual selector must match', mutate: s => { s.job.spec.manualSelector = true; s.job.spec.selector = { matchLabels: { a: 'b' } }; }, object: ID.job, path: 'spec.template.metadata.labels', message: /does not match/ },
    { name: 'CronJob template selector', mutate: s => { s.cron.spec.jobTemplate.spec.selector = { matchLabels: { a: 'b' } }; }, object: ID.cron, path: 'spec.jobTemplate.spec.selector', message: /will be auto-generated/ },
    { name: 'CronJob schedule', mutate: s => { s.cron.spec.schedule = '0 3 * *'; }, object: ID.cron, path: 'spec.schedule', message: /5 fields/ },
    { name: 'CronJob TZ in schedule', mutate: s => { s.cron.spec.schedule = 'TZ=UTC 0 3 * * *'; }, object: ID.cron, path: 'spec.schedule', message: /timeZone field/ },
    { name: 'Recreate with rollingUpdate', mutate: s => { s.deploy.spec.strategy.type = 'Recreate'; }, object: ID.deploy, path: 'spec.strategy.rollingUpdate', message: /may not be specified when strategy type is 'Recreate'/ },
    { name: 'rollout that cannot progress', mutate: s => { s.deploy.spec.strategy.rollingUpdate.maxSurge = '0%'; }, object: ID.deploy, path: 'spec.strategy.rollingUpdate.maxUnavailable', message: /may not be 0 when maxSurge is 0/ },
    { name: 'maxUnavailable over 100%', mutate: s => { s.deploy.spec.strategy.rollingUpdate.maxUnavailable = '150%'; }, object: ID.deploy, path: 'spec.strategy.rollingUpdate.maxUnavailable', message: /percentage/ },
    { name: 'StatefulSet serviceName', mutate: s => { s.sts.spec.serviceName = 'Mongo_Svc'; }, object: ID.sts, path: 'spec.serviceName', message: /DNS-1035 label/ },
    { name: 'StatefulSet may mount its claim templates only', mutate: s => { s.sts.spec.template.spec.containers[0].volumeMounts[0].name = 'data'; }, object: ID.sts, path: 'spec.template.spec.containers[0].volumeMounts[0].name', message: /volume "data" is not defined/ },
    { name: 'StatefulSet claim template needs storage', mutate: s => { delete s.sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage; }, object: ID.sts, path: 'spec.volumeClaimTemplates[0].spec.resources.requests.storage', message: /is required/ },
    { name: 'StatefulSet OnDelete with rollingUpdate', mutate: s => { s.sts.spec.updateStrategy = { type: 'OnDelete', rollingUpdate: { partition: 0 } }; }, object: ID.sts, path: 'spec.updateStrategy.rollingUpdate', message: /only allowed for updateStrategy 'RollingUpdate'/ },
    { name: 'DaemonSet OnDelete with rollingUpdate', mutate: s => { s.ds.spec.updateStrategy = { type: 'OnDelete', rollingUpdate: { maxUnavailable: 1 } }; }, object: ID.ds, path: 'spec.updateStrategy.rollingUpdate', message: /may not be specified when type is 'OnDelete'/ },
    {
      name: 'ReplicationController selector must be a subset of the template labels',
      mutate: s => { s.rc = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc', namespace: NS }, spec: { selector: { a: 'b' }, template: { metadata: { labels: { a: 'c' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } }; },
      object: `v1 ReplicationController ${NS}/rc`, path: 'spec.template.metadata.labels', message: /does not match/,
    },
  ];
  it.each(cases.map(c => [c.name, c]))('%s', (_, c) => expectCase(c as Case));
});

describe('3e. Services', () => {
  const cases: Case[] = [
    { name: 'port names required with several ports', mutate: s => { delete s.service.spec.ports[1].name; }, object: ID.service, path: 'spec.ports[1].name', message: /required when the Service has more than one port/ },
    { name: 'port name format', mutate: s => { s.service.spec.ports[1].name = 'metrics-endpoint-1'; }, object: ID.service, path: 'spec.ports[1].name', message: /no more than 15/ },
    { name: 'port names unique', mutate: s => { s.service.spec.ports[1].name = 'http'; }, object: ID.service, path: 'spec.ports[1].name', message: /duplicate port name http/ },
    { name: 'port/protocol unique', mutate: s => { s.service.spec.ports[1].port = 8008; }, object: ID.service, path: 'spec.ports[1].port', message: /duplicate port\/protocol 8008\/TCP/ },
    { name: 'port range', mutate: s => { s.service.spec.ports[1].port = 0; }, object: ID.service, path: 'spec.ports[1].port', message: /between 1 and 65535/ },
    { name: 'targetPort range', mutate: s => { s.service.spec.ports[1].targetPort = 65536; }, object: ID.service, path: 'spec.ports[1].targetPort', message: /between 1 and 65535/ },
    { name: 'targetPort name', mutate: s => { s.service.spec.ports[0].targetPort = 'HTTP'; }, object: ID.service, path: 'spec.ports[0].targetPort', message: /lowercase/ },
    { name: 'nodePort on ClusterIP', mutate: s => { s.service.spec.type = 'ClusterIP'; delete s.service.spec.externalTrafficPolicy; }, object: ID.service, path: 'spec.ports[0].nodePort', message: /may not be used when type is 'ClusterIP'/ },
    { name: 'nodePort range', mutate: s => { s.service.spec.ports[0].nodePort = 8080; }, object: ID.service, path: 'spec.ports[0].nodePort', message: /between 30000 and 32767/ },
    { name: 'externalTrafficPolicy on ClusterIP', mutate: s => { s.mongoService.spec.externalTrafficPolicy = 'Local'; }, object: ID.mongoService, path: 'spec.externalTrafficPolicy', message: /externally-accessible/ },
    { name: 'headless NodePort', mutate: s => { s.service.spec.clusterIP = 'None'; }, object: ID.service, path: 'spec.clusterIP', message: /may not be 'None' for NodePort services/ },
    { name: 'ports required', mutate: s => { s.service.spec.ports = []; }, object: ID.service, path: 'spec.ports', message: /is required/ },
    { name: 'selector labels', mutate: s => { s.service.spec.selector = { app: 'not valid' }; }, object: ID.service, path: 'spec.selector.app', message: /value "not valid"/ },
  ];
  it.each(cases.map(c => [c.name, c]))('%s', (_, c) => expectCase(c as Case));

  it('allows the same port number for another protocol', () => {
    expect(validate(s => { s.service.spec.ports[1].port = 8008; s.service.spec.ports[1].protocol = 'UDP'; })).toEqual([]);
  });
});

describe('3f. storage', () => {
  const cases: Case[] = [
    { name: 'PV without a source', mutate: s => { delete s.pv.spec.local; delete s.pv.spec.nodeAffinity; }, object: ID.pv, path: 'spec', message: /exactly one volume source \(got none\)/ },
    { name: 'PV with two sources', mutate: s => { s.pv.spec.hostPath = { path: '/mnt/x' }; }, object: ID.pv, path: 'spec', message: /exactly one volume source \(got hostPath, local\)|\(got local, hostPath\)/ },
    { name: 'local PV needs node affinity', mutate: s => { delete s.pv.spec.nodeAffinity; }, object: ID.pv, path: 'spec.nodeAffinity.required', message: /local volumes require node affinity/ },
    { name: 'local PV path absolute', mutate: s => { s.pv.spec.local.path = 'mnt/data'; }, object: ID.pv, path: 'spec.local.path', message: /absolute path/ },
    { name: 'PV capacity', mutate: s => { s.pv.spec.capacity.storage = '10 Gi'; }, object: ID.pv, path: 'spec.capacity.storage', message: /not a valid quantity/ },
    { name: 'PV capacity required', mutate: s => { s.pv.spec.capacity = {}; }, object: ID.pv, path: 'spec.capacity.storage', message: /is required/ },
    { name: 'PV claimRef needs a namespace', mutate: s => { delete s.pv.spec.claimRef.namespace; }, object: ID.pv, path: 'spec.claimRef.namespace', message: /is required/ },
    { name: 'PV claimRef needs a name', mutate: s => { delete s.pv.spec.claimRef.name; }, object: ID.pv, path: 'spec.claimRef.name', message: /is required/ },
    { name: 'PV access modes', mutate: s => { s.pv.spec.accessModes = ['ReadWriteOncePod', 'ReadWriteOnce']; }, object: ID.pv, path: 'spec.accessModes', message: /ReadWriteOncePod with other access modes/ },
    { name: 'PVC access modes', mutate: s => { s.pvc.spec.accessModes = []; }, object: ID.pvc, path: 'spec.accessModes', message: /at least 1 access mode/ },
    { name: 'PVC storage request', mutate: s => { delete s.pvc.spec.resources.requests; }, object: ID.pvc, path: 'spec.resources.requests.storage', message: /is required/ },
    { name: 'PVC storage request positive', mutate: s => { s.pvc.spec.resources.requests.storage = '0'; }, object: ID.pvc, path: 'spec.resources.requests.storage', message: /greater than 0/ },
  ];
  it.each(cases.map(c => [c.name, c]))('%s', (_, c) => expectCase(c as Case));
});

describe('3h. stored as written: nothing the API server drops or rewrites', () => {
  const S = 'an empty string is omitted by the API server';
  const cases: Case[] = [
    { name: 'empty storage class on a PersistentVolume', mutate: s => { s.pv.spec.storageClassName = ''; }, object: ID.pv, path: 'spec.storageClassName', message: new RegExp(S) },
    { name: 'empty env value', mutate: s => { app(s).env.push({ name: 'EMPTY', value: '' }); }, object: ID.deploy, path: `${C}.env[4].value`, message: new RegExp(S) },
    { name: 'empty subPath', mutate: s => { app(s).volumeMounts[0].subPath = ''; }, object: ID.deploy, path: `${C}.volumeMounts[0].subPath`, message: new RegExp(S) },
    { name: 'empty list', mutate: s => { app(s).args = []; }, object: ID.deploy, path: `${C}.args`, message: /an empty list is omitted/ },
    { name: 'zero initialDelaySeconds', mutate: s => { app(s).livenessProbe.initialDelaySeconds = 0; }, object: ID.deploy, path: `${C}.livenessProbe.initialDelaySeconds`, message: /^0 is omitted/ },
    { name: 'readOnly: false', mutate: s => { app(s).volumeMounts[0].readOnly = false; }, object: ID.deploy, path: `${C}.volumeMounts[0].readOnly`, message: /^false is omitted/ },
    { name: 'empty annotations', mutate: s => { s.deploy.metadata.annotations = {}; }, object: ID.deploy, path: 'metadata.annotations', message: /an empty map is omitted/ },
    { name: 'empty nodeSelector', mutate: s => { pod(s).nodeSelector = {}; }, object: ID.deploy, path: 'spec.template.spec.nodeSelector', message: /an empty map is omitted/ },
    { name: 'empty ConfigMap data', mutate: s => { s.config.data = {}; }, object: ID.config, path: 'data', message: /an empty map is omitted/ },
    { name: 'non-canonical memory', mutate: s => { app(s).resources.limits.memory = '1024Mi'; }, object: ID.deploy, path: `${C}.resources.limits.memory`, message: /stored by the API server as "1Gi"/ },
    { name: 'non-canonical cpu', mutate: s => { app(s).resources.requests.cpu = '0.1'; }, object: ID.deploy, path: `${C}.resources.requests.cpu`, message: /stored by the API server as "100m"/ },
    { name: 'non-canonical capacity', mutate: s => { s.pv.spec.capacity.storage = '10240Mi'; }, object: ID.pv, path: 'spec.capacity.storage', message: /stored by the API server as "10Gi"/ },
  ];
  it.each(cases.map(c => [c.name, c]))('%s', (_, c) => expectCase(c as Case));

  it('keeps what the API server keeps: a claim\'s empty class, map values, empty list items, pointer falses, empty structs', () => {
    expect(validate(s => {
      s.pvc.spec.storageClassName = '';
      delete s.pv.spec.storageClassName;
      s.config.data.EMPTY = '';
      s.deploy.metadata.labels.empty = '';
      app(s).securityContext.privileged = false;
      s.role.rules[0].apiGroups = [''];
      pod(s).volumes.push({ name: 'scratch', emptyDir: {} });
    })).toEqual([]);
  });
});

describe('3g. Ingress, NetworkPolicy, PDB, RBAC, ConfigMap/Secret', () => {
  const R = 'spec.rules[0]';
  const cases: Case[] = [
    { name: 'ingress host', mutate: s => { s.ingress.spec.rules[0].host = 'ClearML.example.com'; }, object: ID.ingress, path: `${R}.host`, message: /DNS-1123 subdomain/ },
    { name: 'ingress wildcard only first label', mutate: s => { s.ingress.spec.rules[0].host = 'app.*.example.com'; }, object: ID.ingress, path: `${R}.host`, message: /wildcard/ },
    { name: 'ingress host not an IP', mutate: s => { s.ingress.spec.rules[0].host = '10.0.0.1'; }, object: ID.ingress, path: `${R}.host`, message: /not an IP address/ },
    { name: 'ingress TLS host', mutate: s => { s.ingress.spec.tls[0].hosts[0] = 'bad_host'; }, object: ID.ingress, path: 'spec.tls[0].hosts[0]', message: /DNS-1123 subdomain/ },
    { name: 'ingress path absolute', mutate: s => { s.ingress.spec.rules[0].http.paths[0].path = 'api'; }, object: ID.ingress, path: `${R}.http.paths[0].path`, message: /start with '\/'/ },
    { name: 'ingress pathType', mutate: s => { s.ingress.spec.rules[0].http.paths[0].pathType = 'Regex'; }, object: ID.ingress, path: `${R}.http.paths[0].pathType`, message: /must be one of/ },
    { name: 'ingress backend port', mutate: s => { s.ingress.spec.rules[0].http.paths[0].backend.service.port = {}; }, object: ID.ingress, path: `${R}.http.paths[0].backend.service.port`, message: /exactly one of name, number/ },
    { name: 'ingress backend service', mutate: s => { s.ingress.spec.rules[0].http.paths[0].backend = {}; }, object: ID.ingress, path: `${R}.http.paths[0].backend`, message: /exactly one of service, resource/ },
    { name: 'ingress backend service name', mutate: s => { delete s.ingress.spec.rules[0].http.paths[0].backend.service.name; }, object: ID.ingress, path: `${R}.http.paths[0].backend.service.name`, message: /is required/ },
    { name: 'ingress backend port number', mutate: s => { s.ingress.spec.rules[0].http.paths[0].backend.service.port = { number: 0 }; }, object: ID.ingress, path: `${R}.http.paths[0].backend.service.port.number`, message: /between 1 and 65535/ },
    { name: 'netpol port range', mutate: s => { s.netpol.spec.ingress[0].ports[0].port = 70000; }, object: ID.netpol, path: 'spec.ingress[0].ports[0].port', message: /between 1 and 65535/ },
    { name: 'netpol endPort needs numeric port', mutate: s => { s.netpol.spec.ingress[0].ports[1].endPort = 9000; }, object: ID.netpol, path: 'spec.ingress[0].ports[1].endPort', message: /unless port is a number/ },
    { name: 'netpol policyTypes', mutate: s => { s.netpol.spec.policyTypes = ['Ingress', 'ingress']; }, object: ID.netpol, path: 'spec.policyTypes[1]', message: /must be one of: Ingress, Egress/ },
    { name: 'netpol CIDR', mutate: s => { s.netpol.spec.egress[0].to[0].ipBlock.cidr = '10.0.0.0/33'; }, object: ID.netpol, path: 'spec.egress[0].to[0].ipBlock.cidr', message: /valid CIDR/ },
    { name: 'PDB min and max', mutate: s => { s.pdb.spec.maxUnavailable = 1; }, object: ID.pdb, path: 'spec.maxUnavailable', message: /cannot be both set/ },
    { name: 'PDB percentage', mutate: s => { s.pdb.spec.minAvailable = '120%'; }, object: ID.pdb, path: 'spec.minAvailable', message: /percentage \(0-100%\)/ },
    {
      name: 'HPA replica bounds',
      mutate: s => { s.hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'api', namespace: NS }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'clearml-apiserver' }, minReplicas: 3, maxReplicas: 2 } }; },
      object: `autoscaling/v2 HorizontalPodAutoscaler ${NS}/api`, path: 'spec.maxReplicas', message: /greater than or equal to minReplicas \(3\)/,
    },
    {
      name: 'user PriorityClass value',
      mutate: s => { s.prio = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'clearml-high' }, value: 2000000000 }; },
      object: 'scheduling.k8s.io/v1 PriorityClass clearml-high', path: 'value', message: /must not exceed 1000000000/,
    },
    { name: 'Role rule without verbs', mutate: s => { s.role.rules[0].verbs = []; }, object: ID.role, path: 'rules[0].verbs', message: /at least one verb/ },
    { name: 'Role rule without apiGroups', mutate: s => { delete s.role.rules[0].apiGroups; }, object: ID.role, path: 'rules[0].apiGroups', message: /at least one api group/ },
    { name: 'Role with nonResourceURLs', mutate: s => { s.role.rules.push({ nonResourceURLs: ['/metrics'], verbs: ['get'] }); }, object: ID.role, path: 'rules[1].nonResourceURLs', message: /namespaced rules cannot apply to non-resource URLs/ },
    { name: 'ClusterRole rule without verbs', mutate: s => { s.clusterRole.rules[1].verbs = []; }, object: ID.clusterRole, path: 'rules[1].verbs', message: /at least one verb/ },
    { name: 'RoleBinding roleRef kind', mutate: s => { s.roleBinding.roleRef.kind = 'ServiceAccount'; }, object: ID.roleBinding, path: 'roleRef.kind', message: /must be one of: Role, ClusterRole/ },
    { name: 'ClusterRoleBinding cannot bind a Role', mutate: s => { s.clusterRoleBinding.roleRef.kind = 'Role'; }, object: ID.clusterRoleBinding, path: 'roleRef.kind', message: /must be one of: ClusterRole/ },
    { name: 'RoleBinding roleRef apiGroup', mutate: s => { s.roleBinding.roleRef.apiGroup = 'rbac'; }, object: ID.roleBinding, path: 'roleRef.apiGroup', message: /must be "rbac.authorization.k8s.io"/ },
    { name: 'ClusterRoleBinding SA subject needs a namespace', mutate: s => { delete s.clusterRoleBinding.subjects[0].namespace; }, object: ID.clusterRoleBinding, path: 'subjects[0].namespace', message: /is required/ },
    { name: 'ConfigMap key', mutate: s => { s.config.data['apiserver conf'] = 'x'; }, object: ID.config, path: 'data["apiserver conf"]', message: /key must consist of alphanumerics/ },
    { name: 'ConfigMap key too long', mutate: s => { s.config.data['k'.repeat(254)] = 'x'; }, object: ID.config, path: `data.${'k'.repeat(254)}`, message: /no more than 253/ },
    { name: 'ConfigMap key in data and binaryData', mutate: s => { s.config.binaryData = { LOG_LEVEL: b64('x') }; }, object: ID.config, path: 'binaryData.LOG_LEVEL', message: /duplicate key/ },
    { name: 'Secret data must be base64', mutate: s => { s.secret.data['secret-key'] = 'not base64!'; }, object: ID.secret, path: 'data["secret-key"]', message: /base64/ },
    { name: 'Secret key', mutate: s => { s.secret.stringData['..hidden'] = 'x'; }, object: ID.secret, path: 'stringData["..hidden"]', message: /must not be '\.', '\.\.' or start with '\.\.'/ },
    { name: 'TLS Secret needs its keys', mutate: s => { delete s.tls.data['tls.key']; }, object: ID.tls, path: 'data["tls.key"]', message: /required for Secret type "kubernetes.io\/tls"/ },
  ];
  it.each(cases.map(c => [c.name, c]))('%s', (_, c) => expectCase(c as Case));
});

describe('4. across the set', () => {
  const cases: Case[] = [
    { name: 'duplicate object', mutate: s => { s.copy = JSON.parse(JSON.stringify(s.config)); }, object: ID.config, path: 'metadata.name', message: /duplicate object: .* as object #2/ },
    { name: 'Namespace after its objects', mutate: s => { const ns = s.ns; delete s.ns; s.ns = ns; }, object: ID.config, path: 'metadata.namespace', message: /Namespace "clearml" is created after this object/ },
    { name: 'missing Namespace (requireNamespaces)', mutate: s => { delete s.ns; }, object: ID.config, path: 'metadata.namespace', message: /Namespace "clearml" is not created in the set/, options: { requireNamespaces: true } },
    { name: 'missing ServiceAccount', mutate: s => { delete s.sa; }, object: ID.deploy, path: 'spec.template.spec.serviceAccountName', message: /ServiceAccount "clearml\/clearml" is not in the set/, options: { requireReferences: true } },
    { name: 'missing PVC', mutate: s => { s.pv.spec.claimRef.name = 'other'; delete s.pvc; }, object: ID.deploy, path: 'spec.template.spec.volumes[1].persistentVolumeClaim.claimName', message: /PersistentVolumeClaim "clearml\/clearml-data" is not in the set/, options: { requireReferences: true } },
    { name: 'missing ConfigMap (volume)', mutate: s => { delete s.config; }, object: ID.deploy, path: 'spec.template.spec.volumes[0].configMap.name', message: /ConfigMap "clearml\/clearml-config" is not in the set/, options: { requireReferences: true } },
    { name: 'missing ConfigMap (env)', mutate: s => { delete s.config; }, object: ID.deploy, path: `${C}.env[0].valueFrom.configMapKeyRef.name`, message: /ConfigMap "clearml\/clearml-config" is not in the set/, options: { requireReferences: true } },
    { name: 'missing Secret (envFrom)', mutate: s => { delete s.secret; }, object: ID.deploy, path: `${C}.envFrom[0].secretRef.name`, message: /Secret "clearml\/clearml-secrets" is not in the set/, options: { requireReferences: true } },
    { name: 'missing Secret (volume)', mutate: s => { pod(s).volumes.push({ name: 'certs', secret: { secretName: 'clearml-certs' } }); }, object: ID.deploy, path: 'spec.template.spec.volumes[2].secret.secretName', message: /Secret "clearml\/clearml-certs" is not in the set/, options: { requireReferences: true } },
    { name: 'missing PersistentVolume', mutate: s => { s.pvc.spec.volumeName = 'other-pv'; }, object: ID.pvc, path: 'spec.volumeName', message: /PersistentVolume "other-pv" is not in the set/, options: { requireReferences: true } },
    { name: 'missing governing Service', mutate: s => { delete s.mongoService; }, object: ID.sts, path: 'spec.serviceName', message: /Service "clearml\/clearml-mongo" is not in the set/, options: { requireReferences: true } },
    { name: 'missing Ingress backend Service', mutate: s => { s.ingress.spec.rules[0].http.paths[0].backend.service.name = 'web'; }, object: ID.ingress, path: 'spec.rules[0].http.paths[0].backend.service.name', message: /Service "clearml\/web" is not in the set/, options: { requireReferences: true } },
    { name: 'missing Role', mutate: s => { delete s.role; }, object: ID.roleBinding, path: 'roleRef.name', message: /Role "clearml\/clearml-reader" is not in the set/, options: { requireReferences: true } },
    { name: 'missing key in a ConfigMap of the set', mutate: s => { app(s).env[0].valueFrom.configMapKeyRef.key = 'LOGLEVEL'; }, object: ID.deploy, path: `${C}.env[0].valueFrom.configMapKeyRef.key`, message: /key "LOGLEVEL" not found in ConfigMap "clearml-config"/, options: {} },
    { name: 'missing key in a Secret of the set (stringData counts)', mutate: s => { app(s).env[1].valueFrom.secretKeyRef.key = 'access_key'; }, object: ID.deploy, path: `${C}.env[1].valueFrom.secretKeyRef.key`, message: /key "access_key" not found/, options: {} },
    { name: 'missing volume item key', mutate: s => { pod(s).volumes[0].configMap.items[0].key = 'web.conf'; }, object: ID.deploy, path: 'spec.template.spec.volumes[0].configMap.items[0].key', message: /key "web.conf" not found/, options: {} },
    { name: 'PV reserved for another claim', mutate: s => { s.pv.spec.claimRef.name = 'other'; }, object: ID.pvc, path: 'spec.volumeName', message: /reserved for another claim \(clearml\/other\)/, options: {} },
    { name: 'PV reserved for a claim in another namespace', mutate: s => { s.pv.spec.claimRef.namespace = 'default'; }, object: ID.pvc, path: 'spec.volumeName', message: /reserved for another claim \(default\/clearml-data\)/, options: {} },
    { name: 'PVC asks for another volume', mutate: s => { s.pvc.spec.volumeName = 'other-pv'; }, object: ID.pv, path: 'spec.claimRef', message: /asks for volume "other-pv"/, options: {} },
    { name: 'binding storage class', mutate: s => { delete s.pvc.spec.storageClassName; }, object: ID.pvc, path: 'spec.storageClassName', message: /"<unset>" must equal the storageClassName "clearml-local"/, options: {} },
    { name: 'binding capacity', mutate: s => { s.pvc.spec.resources.requests.storage = '10241Mi'; }, object: ID.pvc, path: 'spec.resources.requests.storage', message: /10241Mi exceeds the capacity 10Gi/, options: {} },
    { name: 'binding access modes', mutate: s => { s.pvc.spec.accessModes = ['ReadWriteMany']; }, object: ID.pvc, path: 'spec.accessModes[0]', message: /"ReadWriteMany" is not offered/, options: {} },
    { name: 'PV claimRef to a claim outside the set', mutate: s => { delete s.pvc; pod(s).volumes.pop(); app(s).volumeMounts.pop(); }, object: ID.pv, path: 'spec.claimRef', message: /PersistentVolumeClaim "clearml\/clearml-data" is not in the set/, options: { requireReferences: true } },
    {
      name: 'nodePorts unique across Services',
      mutate: s => { s.mongoService.spec = { type: 'NodePort', selector: MONGO, ports: [{ port: 27017, nodePort: 30008 }] }; },
      object: ID.mongoService, path: 'spec.ports[0].nodePort', message: /nodePort 30008 is already allocated to v1 Service clearml\/clearml-apiserver/,
    },
  ];
  it.each(cases.map(c => [c.name, c]))('%s', (_, c) => expectCase(c as Case));

  it('reports missing namespaces and references only when asked', () => {
    const drop = (s: Manifests) => { for (const k of ['ns', 'sa', 'config', 'secret', 'mongoService', 'role'] as const) delete s[k]; };
    expect(validate(drop, {})).toEqual([]);
    const strict = validate(drop, STRICT);
    expect(strict.length).toBeGreaterThan(5);
    expect(strict.every(v => /is not (created )?in the set/.test(v.message))).toBe(true);
  });

  it('exempts what every cluster already has', () => {
    expect(validate(s => {
      for (const o of Object.values(s)) if (o.metadata.namespace) o.metadata.namespace = 'default';
      s.pv.spec.claimRef.namespace = 'default';
      delete s.ns;
      pod(s).serviceAccountName = 'default';
      pod(s).volumes.push({ name: 'ca', configMap: { name: 'kube-root-ca.crt' } });
      s.clusterRoleBinding.subjects[0].namespace = 'default';
      s.clusterRoleBinding.roleRef.name = 'view';
    })).toEqual([]);
  });

  it('ignores references marked optional', () => {
    expect(validate(s => {
      delete s.config;
      pod(s).volumes[0].configMap.optional = true;
      app(s).env[0].valueFrom.configMapKeyRef.optional = true;
    })).toEqual([]);
  });
});

describe('5. Prometheus Operator objects (monitoring.coreos.com/v1)', () => {
  const R = 'spec.groups[0].rules[1]';
  const alert = (s: Manifests) => s.rules.spec.groups[0].rules[1];
  const cases: Case[] = [
    { name: 'unknown kind of the group', mutate: s => { s.rules.kind = 'AlertmanagerConfig'; }, object: `monitoring.coreos.com/v1 AlertmanagerConfig ${NS}/clearml-alerts`, path: 'kind', message: /no such Kubernetes API/ },
    { name: 'spec is required', mutate: s => { delete s.podMonitor.spec; }, object: ID.podMonitor, path: 'spec', message: /schema: is required/ },
    { name: 'required endpoints', mutate: s => { delete s.serviceMonitor.spec.endpoints; }, object: ID.serviceMonitor, path: 'spec.endpoints', message: /schema: is required/ },
    { name: 'unknown field', mutate: s => { s.serviceMonitor.spec.endpoints[0].intervall = '30s'; }, object: ID.serviceMonitor, path: 'spec.endpoints[0].intervall', message: /unknown field/ },
    { name: 'wrong type', mutate: s => { s.podMonitor.spec.podMetricsEndpoints[0].honorLabels = 'yes'; }, object: ID.podMonitor, path: 'spec.podMetricsEndpoints[0].honorLabels', message: /schema: must be boolean/ },
    { name: 'enum', mutate: s => { s.serviceMonitor.spec.endpoints[0].scheme = 'tcp'; }, object: ID.serviceMonitor, path: 'spec.endpoints[0].scheme', message: /schema: must be one of: http, https/ },
    { name: 'metadata like any object', mutate: s => { s.serviceMonitor.metadata.name = 'Clearml'; }, object: `monitoring.coreos.com/v1 ServiceMonitor ${NS}/Clearml`, path: 'metadata.name', message: /DNS-1123 subdomain/ },
    { name: 'label selector', mutate: s => { s.serviceMonitor.spec.selector.matchExpressions[0].operator = 'Has'; }, object: ID.serviceMonitor, path: 'spec.selector.matchExpressions[0].operator', message: /must be one of: In, NotIn, Exists, DoesNotExist/ },
    { name: 'namespace names', mutate: s => { s.serviceMonitor.spec.namespaceSelector = { matchNames: ['Clearml'] }; }, object: ID.serviceMonitor, path: 'spec.namespaceSelector.matchNames[0]', message: /DNS-1123 label/, options: {} },
    { name: 'port name format', mutate: s => { s.serviceMonitor.spec.endpoints[0].port = 'metrics_port'; }, object: ID.serviceMonitor, path: 'spec.endpoints[0].port', message: /lowercase alphanumerics or '-'/ },
    { name: 'endpoint without a port', mutate: s => { delete s.podMonitor.spec.podMetricsEndpoints[0].port; }, object: ID.podMonitor, path: 'spec.podMetricsEndpoints[0].port', message: /is required/ },
    { name: 'no endpoints', mutate: s => { s.serviceMonitor.spec.endpoints = []; }, object: ID.serviceMonitor, path: 'spec.endpoints', message: /at least one endpoint/ },
    { name: 'duration', mutate: s => { s.serviceMonitor.spec.endpoints[0].interval = '30 s'; }, object: ID.serviceMonitor, path: 'spec.endpoints[0].interval', message: /not a Prometheus duration/ },
    { name: 'timeout above the interval', mutate: s => { s.serviceMonitor.spec.endpoints[0].scrapeTimeout = '1m'; }, object: ID.serviceMonitor, path: 'spec.endpoints[0].scrapeTimeout', message: /1m must not exceed the interval 30s/ },
    { name: 'path', mutate: s => { s.serviceMonitor.spec.endpoints[0].path = 'metrics'; }, object: ID.serviceMonitor, path: 'spec.endpoints[0].path', message: /must start with "\/"/ },
    { name: 'relabeling target', mutate: s => { delete s.serviceMonitor.spec.endpoints[0].relabelings[0].targetLabel; }, object: ID.serviceMonitor, path: 'spec.endpoints[0].relabelings[0].targetLabel', message: /is required for action replace/ },
    { name: 'relabeling label name', mutate: s => { s.serviceMonitor.spec.endpoints[0].relabelings[0].targetLabel = 'app.member'; }, object: ID.serviceMonitor, path: 'spec.endpoints[0].relabelings[0].targetLabel', message: /not a Prometheus label name/ },
    { name: 'selected Service lacks the port', mutate: s => { s.serviceMonitor.spec.endpoints[0].port = 'web'; }, object: ID.serviceMonitor, path: 'spec.endpoints[0].port', message: /no selected Service \(clearml-apiserver\) has a port named "web"/, options: {} },
    { name: 'selects no Service (requireReferences)', mutate: s => { s.serviceMonitor.spec.selector.matchLabels['app.kubernetes.io/name'] = 'web'; }, object: ID.serviceMonitor, path: 'spec.selector', message: /selects no Service of the set in "clearml"/ },
    { name: 'unbalanced parentheses', mutate: s => { alert(s).expr = 'sum(rate(x[5m])'; }, object: ID.rules, path: `${R}.expr`, message: /PromQL: "\(" at offset 3 is never closed/ },
    { name: 'crossed brackets', mutate: s => { alert(s).expr = 'rate(x[5m)]'; }, object: ID.rules, path: `${R}.expr`, message: /PromQL: "\[" at offset 6 is closed by "\)"/ },
    { name: 'closing bracket without an opening one', mutate: s => { alert(s).expr = 'up == 0)'; }, object: ID.rules, path: `${R}.expr`, message: /PromQL: unexpected "\)" at offset 7/ },
    { name: 'unterminated string', mutate: s => { alert(s).expr = 'up{job="api} == 0'; }, object: ID.rules, path: `${R}.expr`, message: /PromQL: unterminated string starting at offset 7/ },
    { name: 'empty range', mutate: s => { alert(s).expr = 'rate(x[ ])'; }, object: ID.rules, path: `${R}.expr`, message: /PromQL: empty range/ },
    { name: 'selector without a name or matcher', mutate: s => { alert(s).expr = 'sum({}) > 0'; }, object: ID.rules, path: `${R}.expr`, message: /PromQL: a vector selector needs a metric name/ },
    { name: 'empty expression', mutate: s => { alert(s).expr = ' '; }, object: ID.rules, path: `${R}.expr`, message: /PromQL: must not be empty/ },
    { name: 'alert without severity', mutate: s => { delete alert(s).labels.severity; }, object: ID.rules, path: `${R}.labels.severity`, message: /is required on every alert/ },
    { name: 'unknown severity', mutate: s => { alert(s).labels.severity = 'page'; }, object: ID.rules, path: `${R}.labels.severity`, message: /"page" must be one of: critical, warning, info/ },
    { name: 'alert without summary', mutate: s => { delete alert(s).annotations.summary; }, object: ID.rules, path: `${R}.annotations.summary`, message: /is required on every alert/ },
    { name: 'alert name', mutate: s => { alert(s).alert = 'Apiserver down'; }, object: ID.rules, path: `${R}.alert`, message: /not a valid alert name/ },
    { name: 'for duration', mutate: s => { alert(s).for = 'five minutes'; }, object: ID.rules, path: `${R}.for`, message: /not a Prometheus duration/ },
    { name: 'label name', mutate: s => { alert(s).labels['team.name'] = 'ml'; }, object: ID.rules, path: `${R}.labels["team.name"]`, message: /not a Prometheus label name/ },
    { name: 'alert and record at once', mutate: s => { alert(s).record = 'x'; }, object: ID.rules, path: R, message: /exactly one of alert or record/ },
    { name: 'recording rule with for', mutate: s => { s.rules.spec.groups[0].rules[0].for = '5m'; }, object: ID.rules, path: 'spec.groups[0].rules[0].for', message: /only applies to alerting rules/ },
    { name: 'recording rule name', mutate: s => { s.rules.spec.groups[0].rules[0].record = 'clearml-rate'; }, object: ID.rules, path: 'spec.groups[0].rules[0].record', message: /not a metric name/ },
    { name: 'duplicate group name', mutate: s => { s.rules.spec.groups.push({ name: 'clearml', rules: [{ record: 'a', expr: 'up' }] }); }, object: ID.rules, path: 'spec.groups[1].name', message: /duplicate group name "clearml"/ },
    { name: 'empty group', mutate: s => { s.rules.spec.groups[0].rules = []; }, object: ID.rules, path: 'spec.groups[0].rules', message: /at least one rule/ },
    { name: 'rule without expr', mutate: s => { delete alert(s).expr; }, object: ID.rules, path: `${R}.expr`, message: /schema: is required/ },
    { name: 'created before its Namespace', mutate: s => { const ns = s.ns; delete s.ns; s.ns = ns; }, object: ID.rules, path: 'metadata.namespace', message: /created after this object/ },
  ];
  it.each(cases.map(c => [c.name, c]))('%s', (_, c) => expectCase(c as Case));

  it('ignores brackets inside strings and comments', () => {
    expect(validate(s => { alert(s).expr = 'count(up{job=~"a(b|c"}) > 0 # ) ] }'; })).toEqual([]);
  });
});

describe('expectValidManifests', () => {
  it('passes a valid set', () => {
    expect(() => expectValidManifests(Object.values(fixtures()))).not.toThrow();
  });

  it('throws with one line per violation', () => {
    const set: Manifests = JSON.parse(JSON.stringify(fixtures()));
    app(set).ports[0].containerPort = 0;
    set.service.spec.ports[0].name = 'HTTP';
    expect(() => expectValidManifests(Object.values(set))).toThrow(
      `2 invalid manifest field(s):\n${ID.deploy}: ${C}.ports[0].containerPort: 0 must be an integer between 1 and 65535\n`
      + `${ID.service}: spec.ports[0].name: "HTTP" must contain only lowercase alphanumerics or '-'`,
    );
  });
});

describe('real cdk8s-plus-27 output', () => {
  it('is accepted', () => {
    const app = new App();
    const nsChart = new Chart(app, 'namespace');
    new kplus.Namespace(nsChart, 'ns', { metadata: { name: 'demo' } });
    const chart = new Chart(app, 'demo', { namespace: 'demo' });
    const config = new kplus.ConfigMap(chart, 'config', { data: { 'LOG_LEVEL': 'info' } });
    const web = new kplus.Deployment(chart, 'web', {
      containers: [{ image: 'nginx:1.27', portNumber: 8080, envVariables: { LOG_LEVEL: kplus.EnvValue.fromConfigMap(config, 'LOG_LEVEL') } }],
    });
    web.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
    const db = new kplus.Service(chart, 'db-svc', { clusterIP: 'None', ports: [{ port: 27017 }] });
    new kplus.StatefulSet(chart, 'db', { service: db, containers: [{ image: 'mongo:7', portNumber: 27017 }] });
    new kplus.Job(chart, 'migrate', { containers: [{ image: 'busybox:1.37' }] });
    const objects = [...nsChart.toJson(), ...chart.toJson()];
    expectValidManifests(objects, { requireNamespaces: true, storedAsWritten: false });
    // ...but it writes fields the API server drops or rewrites: every re-apply would write them again.
    const resent = validateManifests(objects, { requireNamespaces: true }).map(v => `${v.object} ${v.path}`);
    expect(resent).toContain('apps/v1 Deployment demo/demo-web-c8faf1eb spec.template.spec.containers[0].resources.limits.memory');
    expect(resent).toContain('apps/v1 Deployment demo/demo-web-c8faf1eb spec.minReadySeconds');
  });
});

describe('speed', () => {
  it('validates ~100 objects well under 100 ms once warm', () => {
    const objects: any[] = [];
    for (let i = 0; objects.length < 100; i++) {
      for (const o of Object.values(fixtures()) as any[]) {
        if (o.metadata.namespace === undefined && i > 0) continue; // cluster-scoped ones once
        if (o.metadata.namespace !== undefined && i > 0) o.metadata.namespace = NS;
        o.metadata.name = i > 0 ? `${o.metadata.name}-${i}` : o.metadata.name;
        objects.push(o);
      }
    }
    validateManifests(objects); // warm-up: parses k8s.js, loads the models
    const times = [0, 1, 2].map(() => {
      const start = process.hrtime.bigint();
      validateManifests(objects);
      return Number(process.hrtime.bigint() - start) / 1e6;
    });
    expect(Math.min(...times)).toBeLessThan(100);
  });
});

describe('Secrets that a bootstrap Job generates in the cluster', () => {
  const job = (spec: unknown) => ({
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'boot', namespace: NS },
    spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'b', image: 'clearml/server:2.4.0', env: [{ name: 'BOOTSTRAP_SPEC', value: JSON.stringify(spec) }] }] } } },
  });
  const reader = (secret: string, key: string) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'reader', namespace: NS },
    spec: { containers: [{ name: 'r', image: 'busybox:1.37.0', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: secret, key } } }] }] },
  });
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } };
  const spec = { secret: { namespace: NS, name: 'made', labels: {}, keys: { user_key: 'key' } }, mirrors: [{ namespace: NS, name: 'copy', labels: {}, keys: ['user_key'] }] };

  test('count as in the set for --require-references, the Secret and its mirrors, with their keys', () => {
    expect(validateManifests([ns, job(spec), reader('made', 'user_key')], STRICT)).toEqual([]);
    expect(validateManifests([ns, job(spec), reader('copy', 'user_key')], STRICT)).toEqual([]);
  });

  test('a key the Job does not generate is reported; a Secret nobody makes still is', () => {
    expect(validateManifests([ns, job(spec), reader('made', 'other')], STRICT).map((v) => v.message)).toEqual([expect.stringContaining('key "other" is not among the keys the bootstrap Job generates')]);
    expect(validateManifests([ns, job(spec), reader('nobody', 'user_key')], STRICT).map((v) => v.message)).toEqual([expect.stringContaining('Secret "clearml/nobody" is not in the set')]);
  });
});
