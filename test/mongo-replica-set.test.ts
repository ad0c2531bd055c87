import { stringify } from 'yaml';
import { EXAMPLES } from '../examples/apps';
import { ClearmlServerProps, DEFAULT_VERSIONS } from '../lib';
import { loadConfig } from '../lib/config/load';
import { diffManifests, flaggedObjects } from '../lib/diff/manifest-diff';
import { validateManifests } from '../lib/validate/k8s-validate';
import { find, Manifest, synthServer } from './support/synth';

const ON_CLAIMS: ClearmlServerProps = { defaultStorage: { type: 'claim', storageClassName: 'fast' } };
const RS: ClearmlServerProps = { ...ON_CLAIMS, mongo: { replicas: 3 } };
const objects = synthServer(RS);
const sts = find(objects, 'StatefulSet', 'clearml-mongo');
const pod = sts.spec.template.spec;
const byName = (list: Manifest[], name: string) => list.find((c) => c.name === name)!;
const envOf = (o: Manifest) => Object.fromEntries(o.spec.template.spec.containers[0].env.map((e: Manifest) => [e.name, e.value ?? e.valueFrom]));

describe('mongo.replicas: 3', () => {
  test('passes the Kubernetes schema and the API server rules', () => {
    expect(validateManifests(objects, { requireNamespaces: true })).toEqual([]);
  });

  test('a StatefulSet of three members of the official image, one claim each, governed by a headless Service that publishes unready members', () => {
    expect(sts.spec.replicas).toBe(3);
    expect(pod.containers[0].image).toBe(`mongo:${DEFAULT_VERSIONS.mongo}`);
    expect(sts.spec.volumeClaimTemplates.map((t: Manifest) => t.metadata.name)).toEqual(['db']);
    const headless = find(objects, 'Service', sts.spec.serviceName);
    expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
  });

  test('mongod runs as replica set rs0 with the key file, keeping ClearML\'s sort memory parameter', () => {
    expect(pod.containers[0].args).toEqual(['--replSet', 'rs0', '--keyFile', '/etc/mongo-keyfile/keyfile', '--setParameter', 'internalQueryMaxBlockingSortMemoryUsageBytes=196100200']);
  });

  test('the key file comes from the generated Secret through an owner-only copy; no secret value is in the output', () => {
    const secretVolume = byName(pod.volumes, 'keyfile-secret');
    expect(secretVolume.secret).toMatchObject({ secretName: 'clearml-mongo-auth', items: [{ key: 'keyfile', path: 'keyfile' }] });
    expect(byName(pod.volumes, 'keyfile').emptyDir).toEqual({});
    expect(byName(pod.initContainers, 'keyfile').command[2]).toContain('chmod 400 /etc/mongo-keyfile/keyfile');
    expect(byName(pod.initContainers, 'keyfile').securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999 });
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
  });

  test('the Secret is generated once in the cluster by its own bootstrap Job, which may only create Secrets and read that one', () => {
    const job = find(objects, 'Job', 'clearml-mongo-auth-bootstrap');
    const spec = JSON.parse(job.spec.template.spec.containers[0].env[0].value);
    expect(spec.secret).toMatchObject({ namespace: 'clearml', name: 'clearml-mongo-auth', keys: { keyfile: 'key', root_password: 'key' } });
    expect(find(objects, 'Role', 'clearml-mongo-auth-bootstrap').rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['clearml-mongo-auth'], verbs: ['get'] },
    ]);
  });

  test('one member per node (required), spread, and a PodDisruptionBudget that keeps a majority through drains', () => {
    const term = pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
    expect(term.topologyKey).toBe('kubernetes.io/hostname');
    expect(term.labelSelector.matchLabels).toEqual(sts.spec.selector.matchLabels);
    expect(pod.topologySpreadConstraints[0].topologyKey).toBe('kubernetes.io/hostname');
    expect(find(objects, 'PodDisruptionBudget', 'clearml-mongo').spec).toEqual({ maxUnavailable: 1, selector: sts.spec.selector });
  });

  test('the apiserver and async-delete connect with every member, the set name and the root password from the Secret', () => {
    for (const name of ['clearml-apiserver', 'clearml-async-delete']) {
      const env = envOf(find(objects, 'Deployment', name));
      expect(env.MONGO_ROOT_PASSWORD).toEqual({ secretKeyRef: { name: 'clearml-mongo-auth', key: 'root_password' } });
      expect(env.CLEARML_MONGODB_SERVICE_CONNECTION_STRING).toBe('mongodb://root:$(MONGO_ROOT_PASSWORD)@'
        + [0, 1, 2].map((i) => `clearml-mongo-${i}.clearml-mongo-headless.clearml.svc:27017`).join(',') + '/?replicaSet=rs0&authSource=admin');
      expect(env.CLEARML_MONGODB_SERVICE_HOST).toBeUndefined();
    }
  });

  test('the set configuration names the same members as the connection string', () => {
    const config = JSON.parse(byName(pod.containers, 'replica-set').env.find((e: Manifest) => e.name === 'RS_CONFIG').value);
    expect(config).toEqual({ _id: 'rs0', members: [0, 1, 2].map((i) => ({ _id: i, host: `clearml-mongo-${i}.clearml-mongo-headless.clearml.svc:27017` })) });
  });

  test('five and seven members are built too', () => {
    expect(find(synthServer({ ...ON_CLAIMS, mongo: { replicas: 5 } }), 'StatefulSet', 'clearml-mongo').spec.replicas).toBe(5);
    expect(find(synthServer({ ...ON_CLAIMS, mongo: { replicas: 7 } }), 'StatefulSet', 'clearml-mongo').spec.replicas).toBe(7);
  });
});

describe('refused combinations', () => {
  test.each<[string, ClearmlServerProps, string]>([
    ['two members', { ...ON_CLAIMS, mongo: { replicas: 2 } }, 'mongo.replicas: 2 members cannot elect a primary after losing half of them, and arbiters are not supported: use 1, 3, 5 or 7'],
    ['four members', { ...ON_CLAIMS, mongo: { replicas: 4 } }, 'mongo.replicas: 4 members cannot elect'],
    ['more than seven voting members', { ...ON_CLAIMS, mongo: { replicas: 9 } }, 'mongo.replicas: 9 must be an integer from 1 to 7'],
    ['zero', { ...ON_CLAIMS, mongo: { replicas: 0 } }, 'mongo.replicas: 0 must be an integer from 1 to 7'],
    ['node storage for several members', { mongo: { replicas: 3 } }, 'mongo.replicas: 3 members need storage type "claim" (one claim per member), not "node"'],
    ['one existing claim for several members', { mongo: { replicas: 3, storage: { type: 'existingClaim', claimName: 'old' } } }, 'not "existingClaim"'],
    ['members of an external MongoDB', { mongo: { replicas: 3, external: { connectionStringSecret: { name: 'm' } } } }, 'mongo.replicas: has no effect with mongo.external'],
  ])('%s', (_name, props, message) => {
    expect(() => synthServer(props)).toThrow(message);
  });
});

describe('from a standalone MongoDB on claims to the replica set', () => {
  const before = synthServer(ON_CLAIMS);
  const report = diffManifests(before, objects);

  test('the StatefulSet changes in place: no immutable field and no data at risk, member 0 keeps the claim db-clearml-mongo-0', () => {
    expect(flaggedObjects(report)).toEqual([]);
    const old = find(before, 'StatefulSet', 'clearml-mongo');
    for (const field of ['serviceName', 'selector', 'podManagementPolicy', 'volumeClaimTemplates']) {
      expect({ field, value: sts.spec[field] }).toEqual({ field, value: old.spec[field] });
    }
  });

  test('growing the set from 3 to 5 members is an in-place apply too', () => {
    expect(flaggedObjects(diffManifests(objects, synthServer({ ...ON_CLAIMS, mongo: { replicas: 5 } })))).toEqual([]);
  });

  test('the default (one member) output has no replica-set objects', () => {
    const defaults = synthServer();
    expect(defaults.filter((o) => /mongo-auth/.test(o.metadata.name))).toEqual([]);
    expect(JSON.stringify(defaults)).not.toContain('replSet');
  });
});

describe('from clearml.yaml', () => {
  test('the high-availability example round-trips through the configuration file', () => {
    expect(loadConfig(stringify(EXAMPLES.ha), 'f')).toEqual(EXAMPLES.ha);
  });

  test('a misspelt replica count is refused by the file validation, naming the option', () => {
    expect(() => loadConfig('mongo:\n  replicas: three\n', 'f')).toThrow(/mongo\.replicas/);
  });
});
