import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ClearmlServerProps } from '../lib';
import { EXAMPLES } from '../examples/apps';
import { ALL_OPTIONS } from './support/configs';
import { validateManifests } from '../lib/validate/k8s-validate';
import { distDifferences } from './support/dist-check';
import { synthServer } from './support/synth';

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');

// Every configuration the library offers must produce objects a Kubernetes 1.27+ API server accepts.
const configurations: Array<[string, ClearmlServerProps]> = [
  ['defaults', {}],
  ['all options', ALL_OPTIONS],
  ['host preparation off', { hostPreparation: { enabled: false } }],
  ['agent-services with generated credentials', { agentServices: { enabled: true, image: 'clearml/clearml-agent-services:1.9.3' } }],
  ['another installation side by side', { name: 'team-b', namespace: 'clearml-team-b', apiserver: { nodePort: 32008 }, webserver: { nodePort: 32080 }, fileserver: { nodePort: 32081 } }],
  ['custom node label and root', { nodeLabel: { key: 'node-role.example.com/ml', value: 'data' }, nodeStorageRoot: '/data/clearml-server' }],
  ['mirror registry', { images: { clearml: 'mirror.local:5000/clearml/server:2.3.0', elasticsearch: 'mirror.local:5000/elasticsearch:8.17.0', mongo: 'mirror.local:5000/mongo:7.0.22', redis: 'mirror.local:5000/redis:7.4.1', busybox: 'mirror.local:5000/busybox:1.37.0', pause: 'mirror.local:5000/pause:3.10' }, imagePullPolicy: 'Always' }],
  ['production example', EXAMPLES.production],
  ['high-availability example', EXAMPLES.ha],
  ['MongoDB replica set of five, custom names', { name: 'team-b', namespace: 'clearml-team-b', defaultStorage: { type: 'claim' }, mongo: { replicas: 5, resources: { limits: { memory: '4Gi' } } }, networkPolicies: { enabled: true } }],
  ['MongoDB replica set without NetworkPolicies, mirror registry', { defaultStorage: { type: 'claim' }, mongo: { replicas: 3 }, networkPolicies: { enabled: false }, imageRegistry: 'mirror.corp', imagePullSecrets: ['pull'] }],
  ['external managed Redis with password and TLS', { redis: { external: { host: 'redis.example.com', port: 6380, passwordSecret: { name: 'redis-auth' }, tls: true, caSecret: { name: 'redis-ca' } } } }],
  ['Elasticsearch cluster on claims', { defaultStorage: { type: 'claim', storageClassName: 'standard' }, elasticsearch: { replicas: 3 } }],
  ['external data stores', { elasticsearch: { external: { hosts: [{ host: 'es.example.com', scheme: 'https' }], credentialsSecret: { name: 'es' }, verifyCerts: false } }, mongo: { external: { connectionStringSecret: { name: 'mongo' } } }, redis: { external: { host: 'redis.example.com' } } }],
  ['load balancers and existing claims', { exposure: { type: 'LoadBalancer', serviceAnnotations: { 'example.com/lb': 'internal' } }, mongo: { storage: { type: 'existingClaim', claimName: 'mongo-old' } }, fileserver: { storage: { type: 'existingClaim', claimName: 'files', accessModes: ['ReadWriteMany'] }, replicas: 2 }, serverStorage: { logs: { type: 'ephemeral' }, config: { type: 'ephemeral' } } }],
  ['custom hosts, scheduling, mirror, config files', { exposure: { type: 'Ingress', ingress: { hosts: { app: 'ml.corp.example', api: 'ml-api.corp.example', files: 'ml-files.corp.example' }, annotations: { 'cert-manager.io/cluster-issuer': 'corp' } } }, scheduling: { nodeSelector: { pool: 'ml' }, tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }], priorityClassName: 'high' }, imageRegistry: 'mirror.corp', imagePullSecrets: ['pull'], serverConfig: { configMap: 'clearml-conf' }, webserver: { configuration: { a: 1 }, env: { TZ: 'UTC' } } }],
  ['metrics with the Prometheus Operator', { metrics: { enabled: true, prometheusOperator: true, prometheusLabels: { release: 'kps' }, scrapeInterval: '1m', runbookBaseUrl: 'https://git.example.com/docs/monitoring.md' } }],
  ['metrics of an Elasticsearch cluster, without NetworkPolicies', { defaultStorage: { type: 'claim' }, elasticsearch: { replicas: 3 }, networkPolicies: { enabled: false }, metrics: { enabled: true, prometheusOperator: true, mongoCredentialsSecret: { name: 'mongo-exporter' } } }],
  ['metrics of external data stores', { elasticsearch: { external: { hosts: [{ host: 'es.example.com', scheme: 'https' }], credentialsSecret: { name: 'es' } } }, mongo: { external: { connectionStringSecret: { name: 'mongo' } } }, redis: { external: { host: 'redis.example.com' } }, metrics: { enabled: true, prometheusOperator: true } }],
  ['agents example', EXAMPLES.agents],
  ['agents with every option', { domain: 'clearml.example.com', exposure: { type: 'Ingress' }, imagePullSecrets: ['pull'], agents: [
    { name: 'services', queues: ['services'], createQueues: false, maxPods: 8 },
    { name: 'dev', queues: ['interactive'], namespace: 'ml-dev', podSecurity: 'privileged', agentVersion: '2.0.4', resources: { limits: { memory: '1Gi' } }, scheduling: { nodeSelector: { pool: 'system' }, priorityClassName: 'high' },
      sessions: { enabled: true, count: 5, basePort: 31000, externalAddress: 'sessions.clearml.example.com' },
      taskPods: { defaultImage: 'python:3.11-slim', agentVersion: '2.0.7', resources: { requests: { cpu: '1' } }, env: { TZ: 'UTC' }, storageCredentialsSecret: 's3-credentials',
        volumes: [{ name: 'datasets', persistentVolumeClaim: { claimName: 'datasets', readOnly: true } }], volumeMounts: [{ name: 'datasets', mountPath: '/datasets', readOnly: true }],
        scheduling: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['ml'] }] }] } } }, tolerations: [{ key: 'ml', operator: 'Exists' }], priorityClassName: 'batch' } } },
    { name: 'tasks-in-server-ns', queues: ['small'], namespace: 'clearml' },
  ] }],
  ['big resources', { elasticsearch: { resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '4', memory: '8Gi' } } }, apiserver: { resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '4', memory: '4Gi' } } } }],
];

describe.each(configurations)('%s', (_name, props) => {
  const objects = synthServer(props);
  test('every object passes the Kubernetes 1.27 schema and the API server rules', () => {
    expect(validateManifests(objects, { requireNamespaces: true })).toEqual([]);
  });
});

describe('the committed dist/', () => {
  const files = fs.readdirSync(DIST).filter((f) => f.endsWith('.yaml'));
  const objects = files.flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(DIST, f), 'utf8')).map((d) => d.toJS()));

  // dist/ holds whatever the project's clearml.yaml says (the user's configuration, committed with it);
  // the default deployment is checked through examples/classic below.
  test('is fresh: what the default app synthesizes with the project\'s clearml.yaml (or the default when there is none)', () => {
    expect(distDifferences(ROOT)).toEqual([]);
  });

  test('is accepted by the schema and the API server rules', () => {
    expect(objects.length).toBeGreaterThan(0);
    expect(validateManifests(objects, { requireNamespaces: true })).toEqual([]);
  });
});

describe('the committed examples/classic/', () => {
  test('holds the default deployment, exactly as the library synthesizes it', () => {
    const dir = path.join(ROOT, 'examples', 'classic');
    expect(fs.readdirSync(dir)).toEqual(['clearml.yaml']);
    const committed = parseAllDocuments(fs.readFileSync(path.join(dir, 'clearml.yaml'), 'utf8')).map((d) => d.toJS());
    expect(committed).toEqual(synthServer());
  });
});
