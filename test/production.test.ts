import { Chart } from 'cdk8s';
import { ClearmlServer, ClearmlServerProps } from '../lib';
import { EXAMPLES } from '../examples/apps';
import { validateManifests } from '../lib/validate/k8s-validate';
import { containers, envOf, find, mainContainer, Manifest, synthServer, testApp, workloads } from './support/synth';

const PRODUCTION = EXAMPLES.production;
const production = synthServer(PRODUCTION);

const podSpec = (objects: Manifest[], kind: string, name: string) => find(objects, kind, name).spec.template.spec;

describe('storage per data store', () => {
  test('claims turn data stores into StatefulSets whose claim templates carry class, size and access modes, and are kept', () => {
    for (const [name, size] of [['clearml-elasticsearch', '100Gi'], ['clearml-mongo', '50Gi'], ['clearml-redis', '5Gi']]) {
      const sts = find(production, 'StatefulSet', name);
      expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
      expect(sts.spec.serviceName).toBe(`${name}-headless`);
      expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'fast-ssd', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } });
      expect(find(production, 'Service', `${name}-headless`).spec.clusterIP).toBe('None');
    }
    expect(production.filter((o) => o.kind === 'PersistentVolume')).toEqual([]);
  });

  test('with claims, pods are no longer pinned to the ClearML node, unless asked for', () => {
    for (const w of workloads(production)) expect(w.spec.template.spec.nodeSelector).toBeUndefined();
    const pinned = synthServer({ ...PRODUCTION, pinToNodeLabel: true });
    for (const w of workloads(pinned)) expect(w.spec.template.spec.nodeSelector).toEqual({ app: 'clearml' });
  });

  test('node storage and claims mix: only pods with node storage stay pinned', () => {
    const objects = synthServer({ mongo: { storage: { type: 'claim' } } });
    expect(podSpec(objects, 'StatefulSet', 'clearml-mongo').nodeSelector).toBeUndefined();
    expect(podSpec(objects, 'Deployment', 'clearml-elasticsearch').nodeSelector).toEqual({ app: 'clearml' });
    expect(podSpec(objects, 'Deployment', 'clearml-webserver').nodeSelector).toBeUndefined();
  });

  test('an existing claim is mounted as is, by a Recreate Deployment', () => {
    const objects = synthServer({ redis: { storage: { type: 'existingClaim', claimName: 'old-redis-data' } } });
    const redis = find(objects, 'Deployment', 'clearml-redis');
    expect(redis.spec.strategy.type).toBe('Recreate');
    expect(redis.spec.template.spec.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'old-redis-data' } });
    expect(objects.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name.includes('redis'))).toBe(false);
  });

  test('shared file storage is one ReadWriteMany claim, mounted by the fileserver and (for pre-populate) the apiserver', () => {
    const pvc = find(production, 'PersistentVolumeClaim', 'clearml-fileserver-data');
    expect(pvc.spec).toMatchObject({ accessModes: ['ReadWriteMany'], storageClassName: 'shared-nfs', resources: { requests: { storage: '500Gi' } } });
    for (const name of ['clearml-fileserver', 'clearml-apiserver']) {
      expect(podSpec(production, 'Deployment', name).volumes).toContainEqual({ name: 'fileserver-data', persistentVolumeClaim: { claimName: 'clearml-fileserver-data' } });
    }
  });

  test('a ReadWriteOnce file claim is not mounted by the apiserver, which then skips copying example artifacts', () => {
    const objects = synthServer({ fileserver: { storage: { type: 'claim' } } });
    const api = mainContainer(objects, 'clearml-apiserver');
    expect(api.volumeMounts.map((m: Manifest) => m.name)).not.toContain('fileserver-data');
    expect(envOf(api).CLEARML__apiserver__pre_populate__artifacts_path).toBeUndefined();
  });

  test('outside the classic layout, logs and config are per-pod scratch unless configured; config files can come from a ConfigMap', () => {
    expect(podSpec(production, 'Deployment', 'clearml-apiserver').volumes).toContainEqual({ name: 'logs', emptyDir: {} });
    const objects = synthServer({ ...PRODUCTION, serverConfig: { secret: 'clearml-server-conf' } });
    for (const name of ['clearml-apiserver', 'clearml-fileserver', 'clearml-async-delete']) {
      expect(podSpec(objects, 'Deployment', name).volumes).toContainEqual({ name: 'config', secret: { secretName: 'clearml-server-conf' } });
    }
  });
});

describe('exposure', () => {
  test('NodePort is the default', () => {
    expect(find(synthServer(), 'Service', 'clearml-apiserver').spec.type).toBe('NodePort');
  });

  test('Ingress: ClusterIP Services behind one Ingress with class, TLS, app./api./files. hosts and unlimited uploads', () => {
    for (const name of ['clearml-apiserver', 'clearml-webserver', 'clearml-fileserver']) {
      const svc = find(production, 'Service', name);
      expect(svc.spec.type).toBe('ClusterIP');
      expect(svc.spec.ports[0].nodePort).toBeUndefined();
    }
    const ingress = find(production, 'Ingress', 'clearml-ingress');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-body-size']).toBe('0');
    expect(ingress.spec.tls).toEqual([{ hosts: ['app.clearml.example.com', 'api.clearml.example.com', 'files.clearml.example.com'], secretName: 'clearml-example-com-tls' }]);
    expect(ingress.spec.rules.map((r: Manifest) => [r.host, r.http.paths[0].backend.service.name, r.http.paths[0].backend.service.port.number])).toEqual([
      ['app.clearml.example.com', 'clearml-webserver', 80],
      ['api.clearml.example.com', 'clearml-apiserver', 8008],
      ['files.clearml.example.com', 'clearml-fileserver', 8081],
    ]);
  });

  test('behind the Ingress the file server keeps working with authentication: files proxy, shared cookie domain, Secure cookies', () => {
    expect(envOf(mainContainer(production, 'clearml-webserver'))).toMatchObject({
      WEBSERVER__fileBaseUrl: '"https://files.clearml.example.com/"',
      WEBSERVER__useFilesProxy: 'true',
    });
    expect(envOf(mainContainer(production, 'clearml-apiserver'))).toMatchObject({
      CLEARML__APISERVER__AUTH__COOKIES__DOMAIN: '.clearml.example.com',
      CLEARML__APISERVER__AUTH__COOKIES__SECURE: 'true',
    });
  });

  test('the external files URL is among the async-delete URL prefixes, on both sides', () => {
    const key = 'CLEARML__services__async_urls_delete__fileserver__url_prefixes';
    const api = JSON.parse(envOf(mainContainer(production, 'clearml-apiserver'))[key]);
    expect(api).toContain('https://files.clearml.example.com');
    expect(envOf(mainContainer(production, 'clearml-async-delete'))[key]).toBe(JSON.stringify(api));
  });

  test('custom host names tell the web app where the API and files are', () => {
    const objects = synthServer({ exposure: { type: 'Ingress', ingress: { hosts: { app: 'clearml.corp.example', api: 'clearml-api.corp.example', files: 'clearml-files.corp.example' } } } });
    expect(envOf(mainContainer(objects, 'clearml-webserver'))).toMatchObject({
      WEBSERVER__apiBaseUrl: '"http://clearml-api.corp.example"',
      WEBSERVER__fileBaseUrl: '"http://clearml-files.corp.example/"',
    });
    expect(envOf(mainContainer(objects, 'clearml-apiserver')).CLEARML__APISERVER__AUTH__COOKIES__DOMAIN).toBe('.corp.example');
  });

  test('LoadBalancer: one load balancer per server, with the given annotations', () => {
    const objects = synthServer({ exposure: { type: 'LoadBalancer', serviceAnnotations: { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' } } });
    const svc = find(objects, 'Service', 'clearml-webserver');
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.metadata.annotations).toEqual({ 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' });
  });
});

describe('scaling and scheduling', () => {
  test('replicas > 1 get a PodDisruptionBudget and are spread across nodes', () => {
    for (const name of ['clearml-apiserver', 'clearml-webserver']) {
      const d = find(production, 'Deployment', name);
      expect(d.spec.replicas).toBe(2);
      expect(d.spec.template.spec.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: d.spec.selector.matchLabels } });
      expect(find(production, 'PodDisruptionBudget', name).spec).toEqual({ maxUnavailable: 1, selector: d.spec.selector });
    }
    expect(production.some((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'clearml-fileserver')).toBe(false);
  });

  test('node selector, affinity and tolerations apply globally and per component; priority class too', () => {
    const toleration = { key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' };
    const affinity = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } };
    const objects = synthServer({
      scheduling: { nodeSelector: { pool: 'ml' }, tolerations: [toleration], priorityClassName: 'clearml' },
      elasticsearch: { scheduling: { nodeSelector: { disk: 'ssd' }, affinity, priorityClassName: 'clearml-data' } },
    });
    const es = podSpec(objects, 'Deployment', 'clearml-elasticsearch');
    expect(es.nodeSelector).toEqual({ app: 'clearml', pool: 'ml', disk: 'ssd' });
    expect(es.affinity).toEqual(affinity);
    expect(es.tolerations).toEqual([toleration]);
    expect(es.priorityClassName).toBe('clearml-data');
    const web = podSpec(objects, 'Deployment', 'clearml-webserver');
    expect(web).toMatchObject({ nodeSelector: { app: 'clearml', pool: 'ml' }, tolerations: [toleration], priorityClassName: 'clearml' });
    expect(web.affinity).toBeUndefined();
  });

  test('the node label of the classic mode is configurable', () => {
    const objects = synthServer({ nodeLabel: { key: 'clearml.example.com/node', value: 'yes' } });
    expect(podSpec(objects, 'Deployment', 'clearml-mongo').nodeSelector).toEqual({ 'clearml.example.com/node': 'yes' });
  });
});

describe('Elasticsearch beyond one node', () => {
  const objects = synthServer({ defaultStorage: { type: 'claim' }, elasticsearch: { replicas: 3 } });
  const sts = find(objects, 'StatefulSet', 'clearml-elasticsearch');

  test('a 3-node cluster: parallel start, discovery through the headless Service, every node master-eligible', () => {
    expect(sts.spec).toMatchObject({ replicas: 3, podManagementPolicy: 'Parallel', serviceName: 'clearml-elasticsearch-headless' });
    const env = envOf(sts.spec.template.spec.containers[0]);
    expect(env).toMatchObject({ 'discovery.seed_hosts': 'clearml-elasticsearch-headless', 'cluster.initial_master_nodes': 'clearml-elasticsearch-0,clearml-elasticsearch-1,clearml-elasticsearch-2' });
    expect(env['discovery.type']).toBeUndefined();
    expect(sts.spec.template.spec.containers[0].env).toContainEqual({ name: 'node.name', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    expect(find(objects, 'Service', 'clearml-elasticsearch-headless').spec.publishNotReadyAddresses).toBe(true);
  });

  test('one node per machine, a disruption budget, and transport open between the nodes only', () => {
    expect(sts.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]).toMatchObject({ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: sts.spec.selector.matchLabels } });
    expect(find(objects, 'PodDisruptionBudget', 'clearml-elasticsearch').spec.maxUnavailable).toBe(1);
    const policy = find(objects, 'NetworkPolicy', 'clearml-elasticsearch');
    expect(policy.spec.ingress[1]).toEqual({ ports: [{ protocol: 'TCP', port: 9300 }], from: [{ podSelector: { matchLabels: sts.spec.selector.matchLabels } }] });
  });

  test('the single-node default stays', () => {
    expect(envOf(mainContainer(synthServer(), 'clearml-elasticsearch'))['discovery.type']).toBe('single-node');
  });
});

describe('fixes found in review', () => {
  test('host preparation runs whenever a node directory exists, even with an external Elasticsearch', () => {
    const objects = synthServer({ elasticsearch: { external: { hosts: [{ host: 'es.example.com' }] } }, fileserver: { storage: { type: 'claim' } } });
    const ds = find(objects, 'DaemonSet', 'clearml-host-prep');
    expect(ds.spec.template.spec.initContainers[0].args).toContain('/opt/clearml/data/mongo_4/db:999:999');
  });

  test('data stores own their claims through fsGroup, changed only when the volume root differs', () => {
    for (const [name, gid] of [['clearml-elasticsearch', 1000], ['clearml-mongo', 999], ['clearml-redis', 999]] as const) {
      expect(podSpec(production, 'StatefulSet', name).securityContext).toMatchObject({ fsGroup: gid, fsGroupChangePolicy: 'OnRootMismatch' });
    }
  });

  test('load balancers: public URLs carry the server ports and the web app is told where the API and files are', () => {
    const objects = synthServer({ exposure: { type: 'LoadBalancer' }, domain: 'ml.example.com' });
    expect(envOf(mainContainer(objects, 'clearml-webserver'))).toMatchObject({
      WEBSERVER__apiBaseUrl: '"http://api.ml.example.com:8008"',
      WEBSERVER__fileBaseUrl: '"http://files.ml.example.com:8081/"',
    });
    const server = new ClearmlServer(new Chart(testApp(), 'lb'), 'server', { exposure: { type: 'LoadBalancer' }, domain: 'ml.example.com' });
    expect(server.publicUrls).toEqual({ app: 'http://app.ml.example.com', api: 'http://api.ml.example.com:8008', files: 'http://files.ml.example.com:8081' });
    // The old name, kept as a deprecated alias.
    expect(server.publicUrls!.web).toBe(server.publicUrls!.app);
    expect(Object.keys(server.publicUrls!)).toEqual(['app', 'api', 'files']);
    expect(JSON.parse(envOf(mainContainer(objects, 'clearml-apiserver')).CLEARML__services__async_urls_delete__fileserver__url_prefixes)).toContain('http://files.ml.example.com:8081');
  });

  test("a user's node affinity keeps the Elasticsearch cluster's anti-affinity", () => {
    const nodeAffinity = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }] } };
    const objects = synthServer({ defaultStorage: { type: 'claim' }, elasticsearch: { replicas: 3, scheduling: { affinity: { nodeAffinity } } } });
    const affinity = podSpec(objects, 'StatefulSet', 'clearml-elasticsearch').affinity;
    expect(affinity.nodeAffinity).toEqual(nodeAffinity);
    expect(affinity.podAntiAffinity).toBeDefined();
  });
});

describe('external data stores', () => {
  const objects = synthServer({
    elasticsearch: { external: { hosts: [{ host: 'es.example.com', port: 9243, scheme: 'https' }], credentialsSecret: { name: 'es-credentials' }, verifyCerts: false } },
    mongo: { external: { connectionStringSecret: { name: 'mongo-uri' } } },
    redis: { external: { host: 'redis.example.com' } },
    fileserver: { storage: { type: 'claim' } },
  });
  const api = envOf(mainContainer(objects, 'clearml-apiserver'));

  test('the bundled stores, their storage and their tuning are not created', () => {
    for (const name of ['elasticsearch', 'mongo', 'redis']) {
      expect(objects.filter((o) => o.metadata.name.includes(name))).toEqual([]);
    }
    expect(objects.some((o) => o.kind === 'DaemonSet')).toBe(false);
  });

  test('Elasticsearch: hosts with scheme, credentials from a Secret, TLS verification switch', () => {
    expect(JSON.parse(api.CLEARML__HOSTS__ELASTIC__EVENTS__HOSTS)).toEqual([{ host: 'es.example.com', port: 9243, scheme: 'https', use_ssl: true }]);
    expect(api).toMatchObject({
      CLEARML_ELASTIC_SERVICE_USERNAME: 'secret:es-credentials/username',
      CLEARML_ELASTIC_SERVICE_PASSWORD: 'secret:es-credentials/password',
    });
    expect(JSON.parse(api.CLEARML__HOSTS__ELASTIC__WORKERS__ARGS)).toMatchObject({ verify_certs: false });
  });

  test('MongoDB from a connection string Secret, Redis by host, on every server that uses them', () => {
    expect(api.CLEARML_MONGODB_SERVICE_CONNECTION_STRING).toBe('secret:mongo-uri/connectionString');
    expect(api.CLEARML_MONGODB_SERVICE_HOST).toBeUndefined();
    expect(envOf(mainContainer(objects, 'clearml-async-delete')).CLEARML_MONGODB_SERVICE_CONNECTION_STRING).toBe('secret:mongo-uri/connectionString');
    expect(envOf(mainContainer(objects, 'clearml-fileserver'))).toMatchObject({ CLEARML_REDIS_SERVICE_HOST: 'redis.example.com', CLEARML_REDIS_SERVICE_PORT: '6379' });
  });
});

describe('images and configuration', () => {
  test('one registry option rewrites every image; pull secrets reach every pod', () => {
    const objects = synthServer({ imageRegistry: 'registry.corp:5000/mirror', imagePullSecrets: ['corp-registry'], agentServices: { enabled: true, image: 'registry.corp:5000/mirror/clearml/clearml-agent-services:1.9.3' } });
    expect([...new Set(containers(objects).map((c) => c.container.image))].sort()).toEqual([
      'registry.corp:5000/mirror/clearml/clearml-agent-services:1.9.3',
      'registry.corp:5000/mirror/clearml/server:2.4.0',
      'registry.corp:5000/mirror/elasticsearch/elasticsearch:8.19.9',
      'registry.corp:5000/mirror/library/busybox:1.37.0',
      'registry.corp:5000/mirror/library/mongo:8.0.15',
      'registry.corp:5000/mirror/library/redis:8.2.3',
      'registry.corp:5000/mirror/pause:3.10',
    ]);
    for (const w of workloads(objects)) expect(w.spec.template.spec.imagePullSecrets).toEqual([{ name: 'corp-registry' }]);
  });

  test('extra environment variables per component', () => {
    const objects = synthServer({ apiserver: { env: { CLEARML_USE_GUNICORN: '1' } }, mongo: { env: { TZ: 'UTC' } } });
    expect(envOf(mainContainer(objects, 'clearml-apiserver')).CLEARML_USE_GUNICORN).toBe('1');
    expect(envOf(mainContainer(objects, 'clearml-mongo')).TZ).toBe('UTC');
  });

  test("the web app's configuration.json comes from a ConfigMap mounted where the image reads it", () => {
    const objects = synthServer({ webserver: { configuration: { showCustomHtml: true } } });
    expect(find(objects, 'ConfigMap', 'clearml-webserver-config').data['configuration.json']).toBe('{\n  "showCustomHtml": true\n}\n');
    expect(mainContainer(objects, 'clearml-webserver').volumeMounts).toEqual([{ name: 'configuration', mountPath: '/mnt/external_files/configs', readOnly: true }]);
  });
});

describe('combinations that make no sense fail at synth time, naming the option', () => {
  const build = (props: ClearmlServerProps) => new ClearmlServer(new Chart(testApp(), 'x'), 'server', props);
  test.each([
    ['external Mongo plus Mongo storage', { mongo: { external: { connectionStringSecret: { name: 'uri' } }, storage: { type: 'claim' } } }, /^mongo\.storage: has no effect with mongo\.external/],
    ['external Elasticsearch plus resources', { elasticsearch: { external: { hosts: [{ host: 'es' }] }, resources: { limits: { memory: '4Gi' } } } }, /^elasticsearch\.resources: has no effect/],
    ['external Elasticsearch without hosts', { elasticsearch: { external: { hosts: [] } } }, /^elasticsearch\.external\.hosts: must list at least one host/],
    ['an Ingress without hosts', { exposure: { type: 'Ingress' } }, /^exposure\.ingress\.hosts: an Ingress needs host names/],
    ['Ingress settings without an Ingress', { domain: 'x.example.com', exposure: { ingress: { className: 'nginx' } } }, /^exposure\.ingress: only applies to exposure\.type "Ingress"/],
    ['a NodePort with an Ingress', { domain: 'x.example.com', exposure: { type: 'Ingress' }, apiserver: { nodePort: 30008 } }, /^apiserver\.nodePort: only applies to exposure\.type "NodePort"/],
    ['identical host names', { exposure: { type: 'Ingress', ingress: { hosts: { app: 'a.example.com', api: 'a.example.com', files: 'f.example.com' } } } }, /^exposure\.ingress\.hosts: app, api and files must be three different host names/],
    ['replicas > 1 on node storage', { apiserver: { replicas: 2 } }, /^apiserver\.replicas: 2 replicas cannot share node storage \(serverStorage\.logs\)/],
    ['a replicated fileserver on ReadWriteOnce', { defaultStorage: { type: 'claim' }, fileserver: { replicas: 2 } }, /^fileserver\.replicas: 2 replicas need ReadWriteMany storage for fileserver\.storage/],
    ['two Elasticsearch nodes', { defaultStorage: { type: 'claim' }, elasticsearch: { replicas: 2 } }, /^elasticsearch\.replicas: 2 cannot elect a master/],
    ['an Elasticsearch cluster on node storage', { elasticsearch: { replicas: 3 } }, /^elasticsearch\.replicas: 3 nodes need storage type "claim"/],
    ['an existing claim without a name', { redis: { storage: { type: 'existingClaim' } } }, /^redis\.storage\.claimName: is required/],
    ['a storage class on node storage', { mongo: { storage: { storageClassName: 'fast' } } }, /^mongo\.storage\.storageClassName: only applies to storage type "claim"/],
    ['an unknown storage type', { redis: { storage: { type: 'nfs' as any } } }, /^redis\.storage\.type: "nfs" must be one of "node", "claim", "existingClaim"/],
    ['ephemeral data', { mongo: { storage: { type: 'ephemeral' } } }, /^mongo\.storage\.type: "ephemeral" must be one of/],
    ['a bad access mode', { defaultStorage: { type: 'claim', accessModes: ['ReadOnlyMany' as any] } }, /^elasticsearch\.storage\.accessModes\[0\]: "ReadOnlyMany" must be one of/],
    ['a size that is not a quantity', { elasticsearch: { storage: { type: 'claim', size: '100 GB' } } }, /^elasticsearch\.storage\.size: "100 GB" is not a Kubernetes quantity/],
    ['config files from both a ConfigMap and a Secret', { serverConfig: { configMap: 'a', secret: 'b' } }, /^serverConfig: set exactly one of configMap or secret/],
    ['config files from neither', { serverConfig: {} }, /^serverConfig: set exactly one of configMap or secret/],
    ['one existing claim for every store', { defaultStorage: { type: 'existingClaim' as any, claimName: 'x' } }, /^defaultStorage\.type: "existingClaim" must be one of "node", "claim"/],
    ['a default storage class without claims', { defaultStorage: { storageClassName: 'fast' } }, /^defaultStorage\.storageClassName: only applies to defaultStorage\.type "claim"/],
    ['an invalid component node selector', { mongo: { scheduling: { nodeSelector: { 'bad key!': 'x' } } } }, /^mongo\.scheduling\.nodeSelector: "bad key!" is not a valid label key/],
    ['extra env redefining a library setting', { apiserver: { env: { CLEARML_REDIS_SERVICE_HOST: 'x' } } }, /^apiserver\.env\.CLEARML_REDIS_SERVICE_HOST: is set by the library/],
    ['an invalid extra env name', { webserver: { env: { 'bad name': 'x' } } }, /^webserver\.env\.bad name: is not a valid environment variable name/],
    ['a registry with a scheme', { imageRegistry: 'https://registry.corp' }, /^imageRegistry: "https:\/\/registry.corp" must be a registry host/],
    ['an invalid node selector', { scheduling: { nodeSelector: { 'bad key!': 'x' } } }, /^scheduling\.nodeSelector: "bad key!" is not a valid label key/],
    ['an unknown exposure', { exposure: { type: 'Route' as any } }, /^exposure\.type: "Route" must be one of "NodePort", "Ingress", "LoadBalancer"/],
    ['too many replicas', { webserver: { replicas: 0 } }, /^webserver\.replicas: 0 must be an integer from 1 to 50/],
  ] as Array<[string, ClearmlServerProps, RegExp]>)('%s', (_what, props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});

describe('examples', () => {
  test.each(Object.keys(EXAMPLES))('%s passes the schema and API server rules', (name) => {
    expect(validateManifests(synthServer(EXAMPLES[name]), { requireNamespaces: true })).toEqual([]);
  });

  test('classic is the default deployment', () => {
    expect(synthServer(EXAMPLES.classic)).toEqual(synthServer());
  });
});
