import { DEFAULT_VERSIONS } from '../lib';
import { ALL_OPTIONS } from './support/configs';
import { compareQuantities, quantityToUnits, sumQuantities } from '../lib/util/quantity';
import { containers, envOf, find, mainContainer, Manifest, synthServer, workloads } from './support/synth';

const defaults = synthServer();

describe('snapshots', () => {
  test('default deployment', () => {
    expect(defaults).toMatchSnapshot();
  });
  test('all options', () => {
    expect(synthServer(ALL_OPTIONS)).toMatchSnapshot();
  });
});

describe('namespaces and apply order', () => {
  test('the ClearML namespace enforces Pod Security baseline; host-level pods live in a privileged namespace', () => {
    expect(find(defaults, 'Namespace', 'clearml').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(find(defaults, 'Namespace', 'clearml-privileged').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(find(defaults, 'DaemonSet', 'clearml-host-prep').metadata.namespace).toBe('clearml-privileged');
  });

  test('every namespace comes before the first object in it, so a plain `kubectl apply -f dist/` works', () => {
    const seen = new Set<string>();
    for (const o of synthServer(ALL_OPTIONS)) {
      if (o.kind === 'Namespace') seen.add(o.metadata.name);
      if (o.metadata.namespace) expect(seen).toContain(o.metadata.namespace);
    }
  });

  test('no pod in the ClearML namespace uses hostPath (Pod Security baseline forbids it)', () => {
    const inClearml = workloads(defaults).filter((w) => w.metadata.namespace === 'clearml');
    expect(inClearml.length).toBeGreaterThan(5);
    for (const w of inClearml) {
      for (const v of w.spec.template.spec.volumes ?? []) expect(v.hostPath).toBeUndefined();
      for (const c of [...w.spec.template.spec.containers, ...(w.spec.template.spec.initContainers ?? [])]) {
        expect(c.securityContext?.privileged).toBeFalsy();
      }
    }
  });

  test('the privileged namespace is only created when something needs it', () => {
    const objects = synthServer({ hostPreparation: { enabled: false } });
    expect(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual(['clearml']);
    expect(objects.some((o) => o.kind === 'DaemonSet')).toBe(false);
  });
});

describe('components', () => {
  test.each([
    ['clearml-apiserver', 'Recreate'],
    ['clearml-webserver', 'RollingUpdate'],
    ['clearml-fileserver', 'RollingUpdate'],
    ['clearml-async-delete', 'Recreate'],
    ['clearml-elasticsearch', 'Recreate'],
    ['clearml-mongo', 'Recreate'],
    ['clearml-redis', 'Recreate'],
  ])('%s is a Deployment with strategy %s', (name, strategy) => {
    expect(find(defaults, 'Deployment', name).spec.strategy.type).toBe(strategy);
  });

  test('async-delete has no Service (a Service selecting it would take API traffic)', () => {
    expect(defaults.some((o) => o.kind === 'Service' && o.metadata.name.includes('async'))).toBe(false);
    expect(mainContainer(defaults, 'clearml-async-delete').command).toEqual(
      ['python3', '-m', 'jobs.async_urls_delete', '--fileserver-host', 'http://clearml-fileserver:8081']);
  });

  test('agent-services is off by default, and when on it runs privileged with the Docker socket outside the ClearML namespace', () => {
    expect(defaults.some((o) => o.metadata.name.includes('agent-services'))).toBe(false);
    const objects = synthServer(ALL_OPTIONS);
    const agent = find(objects, 'Deployment', 'ml-agent-services');
    expect(agent.metadata.namespace).toBe('mlops-host');
    const pod = agent.spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'docker-socket', hostPath: { path: '/var/run/docker.sock', type: 'Socket' } });
    expect(pod.containers[0].securityContext.privileged).toBe(true);
    expect(envOf(pod.containers[0])).toMatchObject({
      CLEARML_API_HOST: 'http://ml-apiserver.mlops.svc:8008',
      CLEARML_API_ACCESS_KEY: 'secret:my-clearml-credentials/services_agent_key',
      CLEARML_AGENT_DOCKER_HOST_MOUNT: '/srv/clearml/agent:/root/.clearml',
    });
  });
});

describe('scheduling and node storage', () => {
  test('every pod is scheduled on nodes labeled app=clearml', () => {
    for (const w of workloads(defaults)) expect(w.spec.template.spec.nodeSelector).toEqual({ app: 'clearml' });
  });

  test('the node label is configurable and reaches pods and volumes alike', () => {
    const objects = synthServer(ALL_OPTIONS);
    for (const w of workloads(objects)) expect(w.spec.template.spec.nodeSelector).toEqual({ 'example.com/clearml': 'true' });
    for (const pv of objects.filter((o) => o.kind === 'PersistentVolume')) {
      expect(pv.spec.nodeAffinity.required.nodeSelectorTerms).toEqual([{ matchExpressions: [{ key: 'example.com/clearml', operator: 'In', values: ['true'] }] }]);
    }
  });

  const layout: Array<[string, string, string, string]> = [
    // claim, node path, deployment, mount path
    ['clearml-elasticsearch-data', '/opt/clearml/data/elastic_7', 'clearml-elasticsearch', '/usr/share/elasticsearch/data'],
    ['clearml-mongo-db', '/opt/clearml/data/mongo_4/db', 'clearml-mongo', '/data/db'],
    ['clearml-mongo-configdb', '/opt/clearml/data/mongo_4/configdb', 'clearml-mongo', '/data/configdb'],
    ['clearml-redis-data', '/opt/clearml/data/redis', 'clearml-redis', '/data'],
    ['clearml-fileserver-data', '/opt/clearml/data/fileserver', 'clearml-fileserver', '/mnt/fileserver'],
    ['clearml-fileserver-data', '/opt/clearml/data/fileserver', 'clearml-apiserver', '/mnt/fileserver'],
    ['clearml-logs', '/opt/clearml/logs', 'clearml-apiserver', '/var/log/clearml'],
    ['clearml-config', '/opt/clearml/config', 'clearml-apiserver', '/opt/clearml/config'],
    ['clearml-logs', '/opt/clearml/logs', 'clearml-fileserver', '/var/log/clearml'],
    ['clearml-logs', '/opt/clearml/logs', 'clearml-async-delete', '/var/log/clearml'],
  ];
  test.each(layout)('claim %s is the node directory %s, mounted by %s at %s', (claim, path, deployment, mountPath) => {
    const pvc = find(defaults, 'PersistentVolumeClaim', claim);
    const pv = find(defaults, 'PersistentVolume', pvc.spec.volumeName);
    expect(pv.spec.local.path).toBe(path);
    const pod = find(defaults, 'Deployment', deployment).spec.template.spec;
    const volume = pod.volumes.find((v: Manifest) => v.persistentVolumeClaim?.claimName === claim);
    expect(volume).toBeDefined();
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: volume.name, mountPath });
  });

  test('node volumes are local PersistentVolumes, Retain, pre-bound both ways to their claims, without dynamic provisioning', () => {
    const pvs = defaults.filter((o) => o.kind === 'PersistentVolume');
    expect(pvs).toHaveLength(7);
    for (const pv of pvs) {
      const pvc = find(defaults, 'PersistentVolumeClaim', pv.spec.claimRef.name);
      expect(pv.spec.persistentVolumeReclaimPolicy).toBe('Retain');
      expect(pv.spec.claimRef.namespace).toBe('clearml');
      expect(pvc.spec.volumeName).toBe(pv.metadata.name);
      // Class "" on the claim only: the API server drops it from a volume (issue 8), and an unset class binds the same.
      expect(pv.spec).not.toHaveProperty('storageClassName');
      expect(pvc.spec.storageClassName).toBe('');
      expect(compareQuantities(pv.spec.capacity.storage, pvc.spec.resources.requests.storage)).toBe(0);
    }
  });

  test('the storage root is configurable and moves every path with it', () => {
    const objects = synthServer(ALL_OPTIONS);
    const paths = objects.filter((o) => o.kind === 'PersistentVolume').map((pv) => pv.spec.local.path);
    expect(paths.every((p) => p.startsWith('/srv/clearml/'))).toBe(true);
    expect(find(objects, 'PersistentVolume', 'mlops.ml-elasticsearch-data').spec.capacity.storage).toBe('200Gi');
  });
});

describe('host preparation', () => {
  const ds = find(defaults, 'DaemonSet', 'clearml-host-prep');
  const prepare = ds.spec.template.spec.initContainers[0];

  test('a privileged init container prepares the node, then a minimal pause container keeps the pod Ready', () => {
    expect(prepare.securityContext.privileged).toBe(true);
    expect(prepare.image).toBe('busybox:1.37.0');
    expect(ds.spec.template.spec.containers).toHaveLength(1);
    expect(ds.spec.template.spec.containers[0].image).toBe('registry.k8s.io/pause:3.10');
    expect(ds.spec.template.spec.containers[0].securityContext.runAsNonRoot).toBe(true);
    expect(ds.spec.template.spec.nodeSelector).toEqual({ app: 'clearml' });
  });

  test('it creates every data directory, with the owner each image runs as', () => {
    expect(prepare.args.slice(1)).toEqual([
      '/opt/clearml/data/elastic_7:1000:1000',
      '/opt/clearml/data/mongo_4/db:999:999',
      '/opt/clearml/data/mongo_4/configdb:999:999',
      '/opt/clearml/data/redis:999:999',
      '/opt/clearml/logs',
      '/opt/clearml/config',
      '/opt/clearml/data/fileserver',
    ]);
    const pvPaths = defaults.filter((o) => o.kind === 'PersistentVolume').map((pv) => pv.spec.local.path).sort();
    expect(prepare.args.slice(1).map((a: string) => a.split(':')[0]).sort()).toEqual(pvPaths);
  });

  test('data stores run as the users that own their directories', () => {
    const owners: Record<string, number> = { 'clearml-elasticsearch': 1000, 'clearml-mongo': 999, 'clearml-redis': 999 };
    for (const [name, uid] of Object.entries(owners)) {
      expect(mainContainer(defaults, name).securityContext.runAsUser).toBe(uid);
    }
  });

  test('vm.max_map_count is configurable', () => {
    const ds2 = find(synthServer(ALL_OPTIONS), 'DaemonSet', 'ml-host-prep');
    expect(ds2.spec.template.spec.initContainers[0].command[2]).toContain('want=524288');
  });
});

describe('ports and services', () => {
  test.each([
    ['clearml-apiserver', 8008, 30008],
    ['clearml-webserver', 80, 30080],
    ['clearml-fileserver', 8081, 30081],
  ])('%s is a NodePort Service on %d, node port %d, targeting a named container port', (name, port, nodePort) => {
    const svc = find(defaults, 'Service', name);
    expect(svc.spec.type).toBe('NodePort');
    expect(svc.spec.ports).toEqual([{ name: 'http', port, nodePort, protocol: 'TCP', targetPort: 'http' }]);
    expect(mainContainer(defaults, name).ports).toEqual([{ name: 'http', containerPort: port, protocol: 'TCP' }]);
  });

  test('node ports are configurable', () => {
    const objects = synthServer(ALL_OPTIONS);
    expect(find(objects, 'Service', 'ml-apiserver').spec.ports[0].nodePort).toBe(31008);
    expect(find(objects, 'Service', 'ml-webserver').spec.ports[0].nodePort).toBe(31080);
    expect(find(objects, 'Service', 'ml-fileserver').spec.ports[0].nodePort).toBe(31081);
  });

  test.each([
    ['clearml-elasticsearch', 9200],
    ['clearml-mongo', 27017],
    ['clearml-redis', 6379],
  ])('data store %s is a ClusterIP Service on %d', (name, port) => {
    const svc = find(defaults, 'Service', name);
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports[0].port).toBe(port);
    expect(mainContainer(defaults, name).ports[0].containerPort).toBe(port);
  });
});

describe('probes', () => {
  test('every long-running container has readiness and liveness probes', () => {
    const running = containers(synthServer(ALL_OPTIONS)).filter((c) => !c.init && c.owner.kind !== 'Job' && c.container.name !== 'pause');
    expect(running.length).toBeGreaterThanOrEqual(8);
    for (const { container } of running) {
      expect(container.readinessProbe).toBeDefined();
      expect(container.livenessProbe).toBeDefined();
    }
  });

  test.each([
    ['clearml-apiserver', '/debug.ping'],
    ['clearml-fileserver', '/'],
    ['clearml-webserver', '/'],
  ])('%s is probed with GET %s', (name, path) => {
    const c = mainContainer(defaults, name);
    for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
      expect(probe.httpGet).toEqual({ path, port: 'http' });
    }
  });

  test('Elasticsearch readiness waits for cluster health yellow; Mongo and Redis answer pings', () => {
    expect(mainContainer(defaults, 'clearml-elasticsearch').readinessProbe.httpGet.path).toBe('/_cluster/health?wait_for_status=yellow&timeout=1s');
    expect(mainContainer(defaults, 'clearml-mongo').readinessProbe.exec.command.join(' ')).toContain('ping');
    expect(mainContainer(defaults, 'clearml-redis').readinessProbe.exec.command.join(' ')).toContain('redis-cli -p 6379 ping');
  });

  test('slow starters get a startup probe long enough for migrations and recovery', () => {
    for (const name of ['clearml-apiserver', 'clearml-elasticsearch', 'clearml-mongo']) {
      const p = mainContainer(defaults, name).startupProbe;
      expect(p.periodSeconds * p.failureThreshold).toBeGreaterThanOrEqual(600);
    }
  });
});

describe('resources', () => {
  test('every container has CPU and memory requests and limits, requests within limits', () => {
    for (const { container } of containers(synthServer(ALL_OPTIONS))) {
      for (const r of ['cpu', 'memory']) {
        expect(container.resources.requests[r]).toBeDefined();
        expect(compareQuantities(container.resources.requests[r], container.resources.limits[r])).toBeLessThanOrEqual(0);
      }
    }
  });

  test('the whole default deployment fits a 4-CPU / 8-GiB node with headroom (limits at most 3.5 CPU and 6Gi)', () => {
    const running = containers(defaults).filter((c) => !c.init);
    const limits = (r: string) => sumQuantities(running.map((c) => c.container.resources.limits[r]));
    expect(compareQuantities(limits('cpu'), '3500m')).toBeLessThanOrEqual(0);
    expect(compareQuantities(limits('memory'), '6Gi')).toBeLessThanOrEqual(0);
  });

  test('quantities are written in the API server canonical form', () => {
    const asyncDelete = mainContainer(synthServer(ALL_OPTIONS), 'ml-async-delete');
    expect(asyncDelete.resources.requests.cpu).toBe('100m');
  });

  test('the Elasticsearch heap is half its memory limit', () => {
    const heap = (objects: Manifest[], name: string) => envOf(mainContainer(objects, name)).ES_JAVA_OPTS;
    expect(heap(defaults, 'clearml-elasticsearch')).toBe('-Xms1024m -Xmx1024m');
    expect(heap(synthServer(ALL_OPTIONS), 'ml-elasticsearch')).toBe('-Xms2048m -Xmx2048m');
    const limit = mainContainer(defaults, 'clearml-elasticsearch').resources.limits.memory;
    expect(quantityToUnits(limit)).toBe(2n * 1024n * 1024n * 1024n);
  });
});

describe('wiring', () => {
  const api = envOf(mainContainer(defaults, 'clearml-apiserver'));
  const files = envOf(mainContainer(defaults, 'clearml-fileserver'));
  const asyncDelete = envOf(mainContainer(defaults, 'clearml-async-delete'));
  const web = envOf(mainContainer(defaults, 'clearml-webserver'));

  test('one fileserver credential pair, from the same Secret, on both the apiserver and the fileserver', () => {
    for (const k of ['USER_KEY', 'USER_SECRET']) {
      const name = `CLEARML__SECURE__CREDENTIALS__FILESERVER__${k}`;
      expect(api[name]).toMatch(/^secret:clearml-credentials\//);
      expect(files[name]).toBe(api[name]);
    }
  });

  test('the apiserver and the fileserver use the same auth cookie name', () => {
    expect(api.CLEARML__APISERVER__AUTH__SESSION_AUTH_COOKIE_NAME).toBe('clearml_token_basic');
    expect(JSON.parse(files.CLEARML__FILESERVER__AUTH__COOKIE_NAMES)).toEqual(['clearml_token_basic']);
    const custom = synthServer(ALL_OPTIONS);
    expect(envOf(mainContainer(custom, 'ml-apiserver')).CLEARML__APISERVER__AUTH__SESSION_AUTH_COOKIE_NAME).toBe('clearml-token-k8s');
    expect(envOf(mainContainer(custom, 'ml-fileserver')).CLEARML__FILESERVER__AUTH__COOKIE_NAMES).toBe('["clearml-token-k8s"]');
  });

  test('the async-delete URL prefixes are set, identically, on the apiserver and the async-delete worker', () => {
    const key = 'CLEARML__services__async_urls_delete__fileserver__url_prefixes';
    expect(JSON.parse(api[key])).toEqual(['http://clearml-fileserver:8081', 'http://clearml-fileserver.clearml.svc:8081']);
    expect(asyncDelete[key]).toBe(api[key]);
    const custom = synthServer(ALL_OPTIONS);
    const prefixes = JSON.parse(envOf(mainContainer(custom, 'ml-apiserver'))[key]);
    expect(prefixes).toEqual(expect.arrayContaining(['http://files.clearml.example.com', 'https://files.clearml.example.com', 'http://10.0.0.5:30081']));
    expect(envOf(mainContainer(custom, 'ml-async-delete'))[key]).toBe(JSON.stringify(prefixes));
  });

  test('every Elasticsearch cluster gets its hosts with an explicit scheme', () => {
    for (const cluster of ['EVENTS', 'WORKERS', 'DATASETS', 'LOGS']) {
      const hosts = JSON.parse(api[`CLEARML__HOSTS__ELASTIC__${cluster}__HOSTS`]);
      expect(hosts).toEqual([{ host: 'clearml-elasticsearch', port: 9200, scheme: 'http' }]);
      expect(asyncDelete[`CLEARML__HOSTS__ELASTIC__${cluster}__HOSTS`]).toBe(api[`CLEARML__HOSTS__ELASTIC__${cluster}__HOSTS`]);
    }
  });

  test('service addresses in env name Services that exist, on their ports', () => {
    const services = new Map(defaults.filter((o) => o.kind === 'Service').map((s) => [s.metadata.name, s.spec.ports[0].port]));
    expect(services.get(api.CLEARML_MONGODB_SERVICE_HOST)).toBe(Number(api.CLEARML_MONGODB_SERVICE_PORT));
    expect(services.get(api.CLEARML_REDIS_SERVICE_HOST)).toBe(Number(api.CLEARML_REDIS_SERVICE_PORT));
    expect(services.get(files.CLEARML_REDIS_SERVICE_HOST)).toBe(Number(files.CLEARML_REDIS_SERVICE_PORT));
    for (const url of [web.NGINX_APISERVER_ADDRESS, web.NGINX_FILESERVER_ADDRESS, files.CLEARML__HOSTS__API_SERVER]) {
      const { hostname, port } = new URL(url);
      expect(services.get(hostname)).toBe(Number(port));
    }
  });

  test('the webserver proxies both the API and the file server', () => {
    expect(web).toMatchObject({ NGINX_APISERVER_ADDRESS: 'http://clearml-apiserver:8008', NGINX_FILESERVER_ADDRESS: 'http://clearml-fileserver:8081' });
  });

  test('Mongo runs with the sort-memory parameter of the current docker-compose', () => {
    expect(mainContainer(defaults, 'clearml-mongo').args).toEqual(['--setParameter', 'internalQueryMaxBlockingSortMemoryUsageBytes=196100200']);
  });

  test('pre-populate copies artifacts to the path the fileserver serves from', () => {
    expect(api.CLEARML__apiserver__pre_populate__enabled).toBe('true');
    expect(api.CLEARML__apiserver__pre_populate__artifacts_path).toBe('/mnt/fileserver');
  });

  test('Elasticsearch runs single-node without memory locking', () => {
    const es = envOf(mainContainer(defaults, 'clearml-elasticsearch'));
    expect(es).toMatchObject({ 'bootstrap.memory_lock': 'false', 'discovery.type': 'single-node', 'xpack.security.enabled': 'false' });
  });

  test('service links are off, so Service names cannot inject CLEARML_* variables', () => {
    for (const w of workloads(defaults)) expect(w.spec.template.spec.enableServiceLinks).toBe(false);
  });
});

describe('images', () => {
  test('all images are pinned, none is latest, and pull policy is IfNotPresent', () => {
    for (const { container } of containers(synthServer(ALL_OPTIONS))) {
      expect(container.image).toMatch(/:[A-Za-z0-9_][A-Za-z0-9_.-]*$/);
      expect(container.image).not.toMatch(/:latest$/);
    }
    for (const { container } of containers(defaults)) expect(container.imagePullPolicy).toBe('IfNotPresent');
  });

  test('the default images are the ClearML Server 2.4.0 set', () => {
    const images = new Set(containers(defaults).map((c) => c.container.image));
    expect([...images].sort()).toEqual([
      'busybox:1.37.0',
      'clearml/server:2.4.0',
      'docker.elastic.co/elasticsearch/elasticsearch:8.19.9',
      'mongo:8.0.15',
      'redis:8.2.3',
      'registry.k8s.io/pause:3.10',
    ]);
    expect(DEFAULT_VERSIONS).toMatchObject({ clearml: '2.4.0', elasticsearch: '8.19.9', mongo: '8.0.15', redis: '8.2.3' });
  });

  test('images and versions are overridable', () => {
    const objects = synthServer({ ...ALL_OPTIONS, versions: { redis: '7.4.2' } });
    expect(mainContainer(objects, 'ml-mongo').image).toBe('registry.example.com/mirror/mongo:7.0.22');
    expect(mainContainer(objects, 'ml-redis').image).toBe('redis:7.4.2');
    expect(find(objects, 'Deployment', 'ml-redis').metadata.labels['app.kubernetes.io/version']).toBe('7.4.2');
  });
});

describe('labels and determinism', () => {
  test('selectors use only app.kubernetes.io/name, instance and component, and match their pods', () => {
    const objects = synthServer(ALL_OPTIONS);
    const allowed = ['app.kubernetes.io/component', 'app.kubernetes.io/instance', 'app.kubernetes.io/name'];
    for (const w of workloads(objects).filter((o) => o.kind !== 'Job')) {
      expect(Object.keys(w.spec.selector.matchLabels).sort()).toEqual(allowed);
      expect(w.spec.template.metadata.labels).toMatchObject(w.spec.selector.matchLabels);
    }
    for (const s of objects.filter((o) => o.kind === 'Service')) {
      expect(Object.keys(s.spec.selector).sort()).toEqual(allowed);
    }
  });

  test('every object carries version, managed-by and part-of labels', () => {
    for (const o of defaults.filter((x) => x.kind !== 'Namespace')) {
      expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'cdk8s', 'app.kubernetes.io/part-of': 'clearml' });
    }
    expect(find(defaults, 'Deployment', 'clearml-apiserver').metadata.labels['app.kubernetes.io/version']).toBe('2.4.0');
  });

  test('the same input synthesizes byte-identical output', () => {
    expect(JSON.stringify(synthServer(ALL_OPTIONS))).toBe(JSON.stringify(synthServer(ALL_OPTIONS)));
  });
});

describe('credentials', () => {
  test('no Secret object and no secret value is synthesized', () => {
    expect(defaults.some((o) => o.kind === 'Secret')).toBe(false);
    const env = containers(defaults).flatMap((c) => c.container.env ?? []);
    for (const e of env.filter((x: Manifest) => /SECRET|_KEY$|PASSWORD/.test(x.name))) {
      expect(e.value).toBeUndefined();
      expect(e.valueFrom.secretKeyRef.name).toBe('clearml-credentials');
    }
  });

  test('a bootstrap Job creates the Secret once, with rights to create Secrets and read only that one', () => {
    const role = find(defaults, 'Role', 'clearml-credentials-bootstrap');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['clearml-credentials'], verbs: ['get'] },
    ]);
    const job = find(defaults, 'Job', 'clearml-credentials-bootstrap');
    expect(job.spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(job.spec.ttlSecondsAfterFinished).toBeUndefined();
  });

  test('with an existing Secret nothing is generated and every pod reads that Secret', () => {
    const objects = synthServer(ALL_OPTIONS);
    expect(objects.some((o) => o.kind === 'Job')).toBe(false);
    const refs = containers(objects).flatMap((c) => c.container.env ?? []).filter((e: Manifest) => e.valueFrom);
    const credentialRefs = refs.filter((e: Manifest) => e.name !== 'CLEARML__APISERVER__AUTH__FIXED_USERS__USERS');
    expect(new Set(credentialRefs.map((e: Manifest) => e.valueFrom.secretKeyRef.name))).toEqual(new Set(['my-clearml-credentials']));
  });

  test('only the pods that need a credential get it', () => {
    const secretsOf = (name: string) => Object.keys(envOf(mainContainer(defaults, name))).filter((k) => k.startsWith('CLEARML__SECURE__'));
    expect(secretsOf('clearml-apiserver')).toHaveLength(12);
    expect(secretsOf('clearml-fileserver')).toEqual(['CLEARML__SECURE__CREDENTIALS__FILESERVER__USER_KEY', 'CLEARML__SECURE__CREDENTIALS__FILESERVER__USER_SECRET']);
    expect(secretsOf('clearml-async-delete')).toEqual(['CLEARML__SECURE__AUTH__TOKEN_SECRET']);
    expect(secretsOf('clearml-webserver')).toEqual([]);
  });
});
