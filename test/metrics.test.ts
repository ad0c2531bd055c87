/**
 * Opt-in metrics: exporters for the data stores, their isolation, the Prometheus Operator objects and
 * the alerts, and the runbook every alert links to.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { ClearmlServerProps, NEVER_PRUNED, OPERATOR_PRUNE_ALLOWLIST, PRUNE_ALLOWLIST, pruneApplyCommand, pruneSelector, resourceName } from '../lib';
import { loadConfig } from '../lib/config/load';
import { ClearmlContext } from '../lib/core/context';
import { alertDefinitions, AlertTargets, runbookAnchor } from '../lib/monitoring/alerts';
import { METRICS_DEFAULT_RESOURCES, Metrics } from '../lib/monitoring/metrics';
import { validateManifests } from '../lib/validate/k8s-validate';
import { DEFAULT_VERSIONS, IMAGE_REPOSITORIES, ImageRole } from '../lib/versions';
import { envOf, find, Manifest, synthServer, testApp } from './support/synth';

const ON: ClearmlServerProps = {
  metrics: {
    enabled: true,
    prometheusOperator: true,
    prometheusLabels: { release: 'kube-prometheus-stack' },
    runbookBaseUrl: 'https://git.example.com/platform/cdk8s-clearml/blob/main/docs/monitoring.md',
  },
};
const EXPORTERS = ['clearml-elasticsearch-exporter', 'clearml-mongo-exporter', 'clearml-redis-exporter'];
const STORES = { 'clearml-elasticsearch-exporter': 'elasticsearch', 'clearml-mongo-exporter': 'mongo', 'clearml-redis-exporter': 'redis' } as Record<string, string>;
const STORE_PORTS = { elasticsearch: 9200, mongo: 27017, redis: 6379 } as Record<string, number>;
const EXPORTER_PORTS = { 'clearml-elasticsearch-exporter': 9114, 'clearml-mongo-exporter': 9216, 'clearml-redis-exporter': 9121 } as Record<string, number>;
const RUNBOOK = fs.readFileSync(path.join(__dirname, '..', 'docs', 'monitoring.md'), 'utf8');

const on = synthServer(ON);
const off = synthServer();
const byKind = (objects: Manifest[], kind: string) => objects.filter((o) => o.kind === kind);
const key = (o: Manifest) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const selects = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const rules = (objects: Manifest[]) => find(objects, 'PrometheusRule', 'clearml-alerts').spec.groups.flatMap((g: Manifest) => g.rules);
const alertNames = (objects: Manifest[]) => rules(objects).map((r: Manifest) => r.alert);

/** Every alert the library can write: the largest layout (ES cluster, Mongo replica set, bundled stores). */
const ALL_TARGETS: AlertTargets = {
  namespace: 'clearml', instance: 'clearml',
  elasticsearch: { service: 'es', nodes: 3, bundled: true },
  mongo: { service: 'mongo', replicaSet: true },
  redis: { service: 'redis', bundled: true },
};

test('snapshot: metrics on, with the Prometheus Operator', () => {
  expect(on).toMatchSnapshot();
});

describe('turning metrics on', () => {
  test('adds exporters and never touches a data store or a server workload', () => {
    const after = new Map(on.map((o) => [key(o), o]));
    for (const o of off) {
      if (o.kind === 'NetworkPolicy' && ['clearml-elasticsearch', 'clearml-mongo', 'clearml-redis'].includes(o.metadata.name)) continue;
      expect([key(o), after.get(key(o))]).toEqual([key(o), o]);
    }
    const added = on.filter((o) => !off.some((p) => key(p) === key(o))).map(key);
    expect(added).toEqual(expect.arrayContaining(EXPORTERS.flatMap((n) => ['ServiceAccount', 'Deployment', 'Service', 'NetworkPolicy', 'ServiceMonitor'].map((k) => `${k}/clearml/${n}`))));
    expect(added).toHaveLength(EXPORTERS.length * 5 + 1);
  });

  test('writes no Prometheus Operator objects unless asked, and nothing at all by default', () => {
    const plain = synthServer({ metrics: { enabled: true } });
    expect(plain.filter((o) => o.apiVersion.startsWith('monitoring.coreos.com/'))).toEqual([]);
    expect(byKind(plain, 'Deployment').map((d) => d.metadata.name)).toEqual(expect.arrayContaining(EXPORTERS));
    expect(off.filter((o) => /exporter|alerts/.test(o.metadata.name))).toEqual([]);
  });

  test('every object is prune-safe; the operator kinds are pruned only when the command is asked to', () => {
    const gvk = (o: Manifest) => `${o.apiVersion.includes('/') ? o.apiVersion : `core/${o.apiVersion}`}/${o.kind}`;
    const [, instance] = pruneSelector().split(',').map((t) => t.split('=')[1]);
    for (const o of on) {
      expect([...PRUNE_ALLOWLIST, ...NEVER_PRUNED, ...OPERATOR_PRUNE_ALLOWLIST]).toContain(gvk(o));
      expect(o.metadata.labels['app.kubernetes.io/instance']).toBe(instance);
    }
    expect(on.filter((o) => OPERATOR_PRUNE_ALLOWLIST.includes(gvk(o))).map((o) => o.kind)).toEqual(['ServiceMonitor', 'ServiceMonitor', 'ServiceMonitor', 'PrometheusRule']);
    expect(pruneApplyCommand()).not.toContain('monitoring.coreos.com');
    for (const kind of OPERATOR_PRUNE_ALLOWLIST) expect(pruneApplyCommand('clearml', 'dist/', true)).toContain(resourceName(kind));
  });

  test('is possible from clearml.yaml', () => {
    const props = loadConfig('metrics:\n  enabled: true\n  monitoringNamespace: observability\n  prometheusOperator: true\n  prometheusLabels:\n    release: kps\n', 'clearml.yaml');
    const objects = synthServer(props);
    expect(find(objects, 'ServiceMonitor', 'clearml-redis-exporter').metadata.labels.release).toBe('kps');
    expect(find(objects, 'NetworkPolicy', 'clearml-redis-exporter').spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } } }]);
  });
});

describe('exporters', () => {
  test.each(EXPORTERS)('%s serves a named metrics port that its Service targets by name', (name) => {
    const pod = find(on, 'Deployment', name).spec.template.spec;
    expect(pod.containers.map((c: Manifest) => c.ports)).toEqual([[{ name: 'metrics', containerPort: EXPORTER_PORTS[name], protocol: 'TCP' }]]);
    expect(find(on, 'Service', name).spec.ports).toEqual([{ name: 'metrics', port: EXPORTER_PORTS[name], targetPort: 'metrics', protocol: 'TCP' }]);
    expect(pod.containers[0].livenessProbe.httpGet?.port ?? pod.containers[0].livenessProbe.tcpSocket.port).toBe('metrics');
  });

  test.each(EXPORTERS)('%s runs with least privilege: own ServiceAccount without token, Pod Security restricted', (name) => {
    const pod = find(on, 'Deployment', name).spec.template.spec;
    expect(pod.serviceAccountName).toBe(name);
    expect(find(on, 'ServiceAccount', name).automountServiceAccountToken).toBe(false);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of pod.containers) {
      expect(c.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(c.resources).toEqual({ requests: METRICS_DEFAULT_RESOURCES.requests, limits: METRICS_DEFAULT_RESOURCES.limits });
    }
    expect(pod.volumes).toBeUndefined();
  });

  test('images are pinned, mirrored with imageRegistry and replaceable per role', () => {
    const roles: ImageRole[] = ['elasticsearchExporter', 'mongoExporter', 'redisExporter'];
    expect(EXPORTERS.map((n) => find(on, 'Deployment', n).spec.template.spec.containers[0].image))
      .toEqual(roles.map((r) => `${IMAGE_REPOSITORIES[r]}:${DEFAULT_VERSIONS[r]}`));
    const mirrored = synthServer({ ...ON, imageRegistry: 'mirror.corp', images: { redisExporter: 'mirror.corp/tools/redis-exporter:v1.88.0' } });
    expect(EXPORTERS.map((n) => find(mirrored, 'Deployment', n).spec.template.spec.containers[0].image)).toEqual([
      'mirror.corp/prometheuscommunity/elasticsearch-exporter:v1.11.0',
      'mirror.corp/percona/mongodb_exporter:0.53.0',
      'mirror.corp/tools/redis-exporter:v1.88.0',
    ]);
  });

  test('each exporter is pointed at its bundled store explicitly (the Elasticsearch exporter has no default since v1.10)', () => {
    const c = (n: string) => find(on, 'Deployment', n).spec.template.spec.containers[0];
    expect(c('clearml-elasticsearch-exporter').args).toEqual(['--es.uri=http://clearml-elasticsearch:9200', '--es.all', '--es.indices', '--es.indices_settings', '--collector.clustersettings']);
    expect(envOf(c('clearml-mongo-exporter'))).toEqual({ MONGODB_URI: 'mongodb://clearml-mongo:27017/?directConnection=true' });
    expect(c('clearml-mongo-exporter').args).toContain('--compatible-mode');
    expect(envOf(c('clearml-redis-exporter'))).toEqual({ REDIS_ADDR: 'redis://clearml-redis:6379' });
  });

  test('external stores are watched with their credentials from Secrets, never in the manifests', () => {
    const objects = synthServer({
      ...ON,
      elasticsearch: { external: { hosts: [{ host: 'es.example.com', port: 9243, scheme: 'https' }], credentialsSecret: { name: 'es' }, verifyCerts: false } },
      mongo: { external: { connectionStringSecret: { name: 'mongo-uri' } } },
      redis: { external: { host: 'redis.example.com' } },
    });
    const c = (n: string) => find(objects, 'Deployment', n).spec.template.spec.containers[0];
    expect(c('clearml-elasticsearch-exporter').args).toEqual(expect.arrayContaining(['--es.uri=https://es.example.com:9243', '--es.ssl-skip-verify']));
    expect(envOf(c('clearml-elasticsearch-exporter'))).toEqual({ ES_USERNAME: 'secret:es/username', ES_PASSWORD: 'secret:es/password' });
    expect(envOf(c('clearml-mongo-exporter'))).toEqual({ MONGODB_URI: 'secret:mongo-uri/connectionString' });
    expect(c('clearml-mongo-exporter').args).toContain('--no-mongodb.direct-connect');
    expect(envOf(c('clearml-redis-exporter'))).toEqual({ REDIS_ADDR: 'redis://redis.example.com:6379' });
    // Egress: the store's ports anywhere (an external address is no pod), any TCP port for MongoDB (its address is in the Secret).
    expect(find(objects, 'NetworkPolicy', 'clearml-elasticsearch-exporter').spec.egress[1]).toEqual({ ports: [{ protocol: 'TCP', port: 9243 }] });
    expect(find(objects, 'NetworkPolicy', 'clearml-mongo-exporter').spec.egress[1]).toEqual({ ports: [{ protocol: 'TCP' }] });
    const names = alertNames(objects);
    expect(names).not.toContain('ElasticsearchNearFloodStage');
    expect(names).not.toContain('MongodbReplicaSetNoPrimary');
    expect(rules(objects).find((r: Manifest) => r.alert === 'RedisMemoryNearLimit').expr).not.toContain('container_memory_working_set_bytes');
  });

  test('an external Redis with a password and TLS is scraped the way the servers connect: password from its Secret, rediss, the CA mounted', () => {
    const objects = synthServer({ ...ON, redis: { external: { host: 'redis.example.com', port: 6380, passwordSecret: { name: 'redis-auth' }, tls: true, caSecret: { name: 'redis-ca', key: 'ca.crt' } } } });
    const pod = find(objects, 'Deployment', 'clearml-redis-exporter').spec.template.spec;
    const c = pod.containers[0];
    expect(envOf(c)).toEqual({ REDIS_ADDR: 'rediss://redis.example.com:6380', REDIS_PASSWORD: 'secret:redis-auth/password' });
    expect(c.args).toEqual(['--tls-ca-cert-file=/etc/clearml/redis-ca/ca.crt']);
    expect(c.volumeMounts).toEqual([{ name: 'redis-ca', mountPath: '/etc/clearml/redis-ca', readOnly: true }]);
    expect(pod.volumes).toEqual([{ name: 'redis-ca', secret: { secretName: 'redis-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }]);
    expect(validateManifests(objects)).toEqual([]);
  });

  test('a MongoDB user for the exporter comes from a Secret', () => {
    const objects = synthServer({ metrics: { enabled: true, mongoCredentialsSecret: { name: 'mongo-exporter', passwordKey: 'pw' } } });
    expect(envOf(find(objects, 'Deployment', 'clearml-mongo-exporter').spec.template.spec.containers[0])).toEqual({
      MONGODB_URI: 'mongodb://clearml-mongo:27017/?directConnection=true', MONGODB_USER: 'secret:mongo-exporter/username', MONGODB_PASSWORD: 'secret:mongo-exporter/pw',
    });
  });
});

describe('MongoDB members', () => {
  // The bundled MongoDB is one member today; a replica set hands every member's address to Metrics,
  // while ClearML itself may read a connection string from a Secret.
  const members = [0, 1, 2].map((i) => `clearml-mongo-${i}.clearml-mongo-headless.clearml.svc:27017`);
  function synthMembers(): Manifest[] {
    const app = testApp();
    const chart = new Chart(app, 'members');
    const images = Object.fromEntries(Object.keys(IMAGE_REPOSITORIES).map((r) => [r, `${IMAGE_REPOSITORIES[r as ImageRole]}:${DEFAULT_VERSIONS[r as ImageRole]}`]));
    const ctx: ClearmlContext = {
      instance: 'clearml', namespace: 'clearml', privilegedNamespace: 'clearml-privileged', versions: DEFAULT_VERSIONS, images: images as ClearmlContext['images'],
      imagePullPolicy: 'IfNotPresent', nodeLabel: { key: 'app', value: 'clearml' }, nodeStorageRoot: '/opt/clearml', pinAllPods: false, scheduling: {}, imagePullSecrets: [],
    };
    new Metrics(chart, 'metrics', {
      ctx,
      networkPolicies: true,
      options: { monitoringNamespace: 'monitoring', prometheusOperator: true, prometheusLabels: {}, scrapeInterval: '30s', resources: METRICS_DEFAULT_RESOURCES },
      stores: {
        elasticsearch: { backend: { hosts: [{ host: 'clearml-elasticsearch', port: 9200, scheme: 'http' }], verifyCerts: true }, bundledNodes: 3 },
        mongo: { backend: { connectionString: { name: 'clearml-mongo-connection', key: 'connectionString' } }, members, replicaSet: true },
        redis: { backend: { host: 'clearml-redis', port: 6379 }, bundled: true },
      },
    });
    return Testing.synth(chart);
  }
  const objects = synthMembers();

  test('one exporter container per member, each on its own named port, connected directly to its member', () => {
    const containers = find(objects, 'Deployment', 'clearml-mongo-exporter').spec.template.spec.containers;
    expect(containers.map((c: Manifest) => [c.name, c.ports[0].name, c.ports[0].containerPort, envOf(c).MONGODB_URI])).toEqual(members.map((m, i) => [`member-${i}`, `metrics-${i}`, 9216 + i, `mongodb://${m}/?directConnection=true`]));
    expect(find(objects, 'Service', 'clearml-mongo-exporter').spec.ports.map((p: Manifest) => p.name)).toEqual(['metrics-0', 'metrics-1', 'metrics-2']);
    expect(find(objects, 'NetworkPolicy', 'clearml-mongo-exporter').spec.ingress[0].ports.map((p: Manifest) => p.port)).toEqual([9216, 9217, 9218]);
    expect(find(objects, 'NetworkPolicy', 'clearml-mongo-exporter').spec.egress[1].ports).toEqual([{ protocol: 'TCP', port: 27017 }]);
  });

  test('the ServiceMonitor scrapes every member and labels it', () => {
    expect(find(objects, 'ServiceMonitor', 'clearml-mongo-exporter').spec.endpoints).toEqual(members.map((_m, i) => ({
      port: `metrics-${i}`, path: '/metrics', interval: '30s', relabelings: [{ action: 'replace', targetLabel: 'member', replacement: `clearml-mongo-${i}` }],
    })));
  });

  test('replica set and cluster alerts are written, and the objects validate', () => {
    expect(alertNames(objects)).toEqual(expect.arrayContaining(['MongodbReplicaSetMemberUnhealthy', 'MongodbReplicaSetNoPrimary', 'ElasticsearchClusterYellow']));
    expect(validateManifests(objects, { requireReferences: false })).toEqual([]);
  });
});

describe('isolation', () => {
  test.each(EXPORTERS)('%s admits only the monitoring namespace on its metrics port, and reaches only DNS and its store', (name) => {
    const store = STORES[name];
    expect(find(on, 'NetworkPolicy', name).spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'clearml', 'app.kubernetes.io/instance': 'clearml', 'app.kubernetes.io/component': `${store}-exporter` } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ protocol: 'TCP', port: EXPORTER_PORTS[name] }] }],
      egress: [
        { ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
        { to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'clearml', 'app.kubernetes.io/instance': 'clearml', 'app.kubernetes.io/component': store } } }], ports: [{ protocol: 'TCP', port: STORE_PORTS[store] }] },
      ],
    });
  });

  test.each(EXPORTERS)('the store of %s admits its exporter', (name) => {
    const store = STORES[name];
    const peers = find(on, 'NetworkPolicy', `clearml-${store}`).spec.ingress[0].from.map((p: Manifest) => p.podSelector.matchLabels['app.kubernetes.io/component']);
    expect(peers).toContain(`${store}-exporter`);
    expect(find(off, 'NetworkPolicy', `clearml-${store}`).spec.ingress[0].from.map((p: Manifest) => p.podSelector.matchLabels['app.kubernetes.io/component'])).not.toContain(`${store}-exporter`);
  });

  test('follows networkPolicies.enabled', () => {
    expect(byKind(synthServer({ ...ON, networkPolicies: { enabled: false } }), 'NetworkPolicy')).toEqual([]);
  });
});

describe('Prometheus Operator objects', () => {
  test.each(EXPORTERS)('the ServiceMonitor %s selects exactly its exporter Service, and scrapes a port that Service names', (name) => {
    const monitor = find(on, 'ServiceMonitor', name);
    const selected = byKind(on, 'Service').filter((s) => monitor.spec.namespaceSelector.matchNames.includes(s.metadata.namespace) && selects(monitor.spec.selector.matchLabels, s.metadata.labels));
    expect(selected.map((s) => s.metadata.name)).toEqual([name]);
    expect(monitor.spec.endpoints.map((e: Manifest) => e.port)).toEqual(selected[0].spec.ports.map((p: Manifest) => p.name));
    expect(monitor.metadata.labels.release).toBe('kube-prometheus-stack');
  });

  test('the validator finds every ServiceMonitor\'s Service and port in the set', () => {
    const violations = validateManifests(on, { requireNamespaces: true, requireReferences: true });
    expect(violations.filter((v) => v.object.startsWith('monitoring.coreos.com/'))).toEqual([]);
  });

  test('every alert has a severity, a summary, a description and a runbook link, and its expression filters on the installation', () => {
    for (const r of rules(on)) {
      expect(['critical', 'warning']).toContain(r.labels.severity);
      expect(r.annotations.summary).toMatch(/\S/);
      expect(r.annotations.description).toContain(`docs/monitoring.md#${runbookAnchor(r.alert)}`);
      expect(r.annotations.runbook_url).toBe(`https://git.example.com/platform/cdk8s-clearml/blob/main/docs/monitoring.md#${r.alert.toLowerCase()}`);
      expect(r.expr).toContain('namespace="clearml"');
    }
    expect(find(on, 'PrometheusRule', 'clearml-alerts').spec.groups.map((g: Manifest) => g.name)).toEqual(['clearml.elasticsearch', 'clearml.mongo', 'clearml.redis', 'clearml.kubernetes']);
  });

  test('the alerts cover what breaks ClearML', () => {
    expect(alertNames(on)).toEqual(expect.arrayContaining([
      'ElasticsearchClusterRed', 'ElasticsearchDiskSpaceLow', 'ElasticsearchNearFloodStage', 'ElasticsearchIndicesReadOnly',
      'MongodbDown', 'RedisDown', 'RedisMemoryNearLimit', 'ClearmlPodRestarting', 'ClearmlPodCrashLooping', 'ClearmlVolumeNearlyFull',
    ]));
    // A single Elasticsearch node or MongoDB has no replica health to watch.
    expect(alertNames(on)).not.toEqual(expect.arrayContaining(['ElasticsearchClusterYellow']));
    expect(alertNames(on)).not.toContain('MongodbReplicaSetNoPrimary');
  });

  test('an Elasticsearch cluster gets the yellow-health alert', () => {
    const cluster = synthServer({ ...ON, defaultStorage: { type: 'claim' }, elasticsearch: { replicas: 3 } });
    expect(alertNames(cluster)).toContain('ElasticsearchClusterYellow');
  });

  test('every alert the library can write has a runbook entry in docs/monitoring.md, and every entry is an alert', () => {
    const all = Object.values(alertDefinitions(ALL_TARGETS)).flat().map((a) => a.alert);
    const runbook = RUNBOOK.slice(RUNBOOK.indexOf('\n## Runbook\n'));
    const headings = [...runbook.matchAll(/^### (.+)$/gm)].map((m) => m[1]);
    expect([...headings].sort()).toEqual([...all].sort());
    expect(new Set(all).size).toBe(all.length);
    for (const name of all) expect(runbookAnchor(name)).toBe(name.toLowerCase());
  });
});

describe('refused options', () => {
  test.each<[string, ClearmlServerProps, RegExp]>([
    ['options while disabled', { metrics: { prometheusOperator: true } }, /^metrics\.prometheusOperator: has no effect unless metrics\.enabled is true/],
    ['operator options without the operator', { metrics: { enabled: true, prometheusLabels: { release: 'x' } } }, /^metrics\.prometheusLabels: only applies with metrics\.prometheusOperator: true/],
    ['a bad scrape interval', { metrics: { enabled: true, prometheusOperator: true, scrapeInterval: '30 seconds' } }, /^metrics\.scrapeInterval: "30 seconds" must be a positive Prometheus duration/],
    ['units out of order in the scrape interval', { metrics: { enabled: true, prometheusOperator: true, scrapeInterval: '30s1m' } }, /^metrics\.scrapeInterval: "30s1m" must be a positive Prometheus duration/],
    ['a zero scrape interval', { metrics: { enabled: true, prometheusOperator: true, scrapeInterval: '0s' } }, /^metrics\.scrapeInterval: "0s" must be a positive Prometheus duration/],
    ['a bad monitoring namespace', { metrics: { enabled: true, monitoringNamespace: 'Monitoring' } }, /^metrics\.monitoringNamespace: "Monitoring" must be a DNS-1123 label/],
    ['a bad label', { metrics: { enabled: true, prometheusOperator: true, prometheusLabels: { release: 'a b' } } }, /^metrics\.prometheusLabels: "a b" is not a valid label value/],
    ['a runbook URL with a fragment', { metrics: { enabled: true, prometheusOperator: true, runbookBaseUrl: 'https://x/doc.md#top' } }, /^metrics\.runbookBaseUrl: .* without a "#" fragment/],
    ['exporter credentials with an external MongoDB', { mongo: { external: { connectionStringSecret: { name: 'm' } } }, metrics: { enabled: true, mongoCredentialsSecret: { name: 'x' } } }, /^metrics\.mongoCredentialsSecret: has no effect with mongo\.external/],
    ['a MongoDB replica set without an exporter user', { defaultStorage: { type: 'claim' }, mongo: { replicas: 3 }, metrics: { enabled: true } }, /^metrics\.mongoCredentialsSecret: is required with mongo\.replicas > 1/],
    ['a request above its limit', { metrics: { enabled: true, resources: { requests: { memory: '1Gi' } } } }, /^metrics\.resources\.requests\.memory: "1Gi" must not exceed the limit "128Mi"/],
  ])('%s', (_name, props, message) => {
    expect(() => synthServer(props)).toThrow(message);
  });
});

describe('with the bundled MongoDB replica set', () => {
  const objects = synthServer({ defaultStorage: { type: 'claim' }, mongo: { replicas: 3 }, metrics: { enabled: true, prometheusOperator: true, mongoCredentialsSecret: { name: 'mongo-exporter' } } });
  const exporter = find(objects, 'Deployment', 'clearml-mongo-exporter');

  test('watches every member of the set, each with the exporter user from its Secret', () => {
    const members = exporter.spec.template.spec.containers.map((c: Manifest) => envOf(c).MONGODB_URI ?? c.args?.find((a: string) => a.startsWith('--mongodb.uri')));
    expect(members).toHaveLength(3);
    for (const [i, c] of exporter.spec.template.spec.containers.entries()) {
      expect(JSON.stringify(c)).toContain(`clearml-mongo-${i}.`);
      expect(c.env.find((e: Manifest) => e.name === 'MONGODB_USER').valueFrom.secretKeyRef.name).toBe('mongo-exporter');
    }
  });

  test('writes the replica-set alerts', () => {
    const rule = find(objects, 'PrometheusRule', 'clearml-alerts');
    const alerts = rule.spec.groups.flatMap((g: Manifest) => g.rules.map((r: Manifest) => r.alert));
    expect(alerts).toEqual(expect.arrayContaining(['MongodbReplicaSetNoPrimary', 'MongodbReplicaSetMemberUnhealthy']));
  });
});
