/**
 * The backup option: what it adds for each storage mode (node, claims, existing claims, multi-node
 * Elasticsearch, S3), least privilege (non-root pods, NetworkPolicies, credentials only from Secrets),
 * validation of every object, and bad options failing at synth time.
 */
import { ClearmlServerProps, DEFAULT_VERSIONS } from '../lib';
import { validateManifests } from '../lib/validate/k8s-validate';
import { find, Manifest, synthServer } from './support/synth';

const S3 = { type: 's3' as const, s3: { endpoint: 'https://minio.example.com:9000', bucket: 'clearml-backups', credentialsSecret: 'backup-s3' } };
const MODES: Record<string, ClearmlServerProps> = {
  'node storage (classic)': { backup: {} },
  'claims': { defaultStorage: { type: 'claim', storageClassName: 'fast' }, backup: { keep: 14, schedule: '0 3 * * 0' } },
  'existing claims': { backup: { destination: { storage: { type: 'existingClaim', claimName: 'dumps' }, elasticsearchStorage: { type: 'existingClaim', claimName: 'es-snapshots' } } } },
  'three Elasticsearch nodes': { defaultStorage: { type: 'claim' }, elasticsearch: { replicas: 3 }, backup: { destination: { elasticsearchStorage: { storageClassName: 'nfs', accessModes: ['ReadWriteMany'] } } } },
  's3': { backup: { destination: S3 } },
  's3 with three Elasticsearch nodes': { defaultStorage: { type: 'claim' }, elasticsearch: { replicas: 3 }, backup: { destination: S3 } },
  'a MongoDB replica set': { defaultStorage: { type: 'claim' }, mongo: { replicas: 3 }, backup: {} },
};

const cronJob = (o: Manifest[]) => find(o, 'CronJob', 'clearml-backup');
const pod = (o: Manifest[]) => cronJob(o).spec.jobTemplate.spec.template.spec;
const es = (o: Manifest[]) => o.find((x) => ['Deployment', 'StatefulSet'].includes(x.kind) && x.metadata.name === 'clearml-elasticsearch')!;
let warn: jest.SpyInstance;
beforeAll(() => { warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined); });
afterAll(() => warn.mockRestore());

describe.each(Object.entries(MODES))('backups with %s', (_, props) => {
  let objects: Manifest[];
  beforeAll(() => { objects = synthServer(props); });

  test('every object is valid', () => {
    expect(validateManifests(objects)).toEqual([]);
  });

  test('backup pods run as a non-root user with no capabilities and a read-only root', () => {
    const spec = pod(objects);
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
    for (const c of [...spec.initContainers, ...spec.containers]) {
      expect(c.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    }
    expect(spec.automountServiceAccountToken).toBe(false);
  });

  test('runs never overlap and have a deadline', () => {
    expect(cronJob(objects).spec).toMatchObject({ concurrencyPolicy: 'Forbid', timeZone: 'Etc/UTC' });
    expect(cronJob(objects).spec.jobTemplate.spec.activeDeadlineSeconds).toBeGreaterThan(0);
  });

  test('credentials only come from Secrets: the bucket keys only to the upload step, the MongoDB password only to the dump', () => {
    const text = JSON.stringify(objects);
    expect(text).not.toMatch(/AWS_SECRET_ACCESS_KEY","value"/);
    const spec = pod(objects);
    const replicaSet = (props.mongo?.replicas ?? 1) > 1;
    for (const c of [...spec.initContainers, ...spec.containers]) {
      const secrets = (c.env ?? []).filter((e: Manifest) => e.valueFrom?.secretKeyRef).map((e: Manifest) => e.valueFrom.secretKeyRef.name);
      const expected = c.name === 'upload' ? ['backup-s3'] : c.name === 'mongo-dump' && replicaSet ? ['clearml-mongo-auth'] : [];
      expect([...new Set(secrets)]).toEqual(expected);
    }
  });

  test('the file server\'s live data is mounted read-only at its source, so fsGroup never re-groups it', () => {
    const volume = pod(objects).volumes.find((v: Manifest) => v.name === 'fileserver-data');
    expect(volume.persistentVolumeClaim.readOnly).toBe(true);
  });

  test('Elasticsearch has its snapshot repository', () => {
    const container = es(objects).spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.filter((e: Manifest) => e.value !== undefined).map((e: Manifest) => [e.name, e.value]));
    if (props.backup!.destination?.type === 's3') {
      expect(env).toMatchObject({ 's3.client.default.endpoint': 'minio.example.com:9000', 's3.client.default.protocol': 'https', 's3.client.default.path_style_access': 'true' });
      expect(container.volumeMounts).toContainEqual({ name: 'keystore', mountPath: '/usr/share/elasticsearch/config/elasticsearch.keystore', subPath: 'elasticsearch.keystore' });
      const keystore = es(objects).spec.template.spec.initContainers.find((c: Manifest) => c.name === 'keystore');
      expect(keystore.env.map((e: Manifest) => e.valueFrom.secretKeyRef)).toEqual([{ name: 'backup-s3', key: 'access-key' }, { name: 'backup-s3', key: 'secret-key' }]);
    } else {
      expect(env['path.repo']).toBe('/usr/share/elasticsearch/snapshots');
      const volume = es(objects).spec.template.spec.volumes.find((v: Manifest) => v.name === 'snapshots');
      expect(volume.persistentVolumeClaim.claimName).toMatch(/snapshots$/);
    }
  });

  test('the egress policy lets backup pods reach DNS, MongoDB, Elasticsearch and the bucket only', () => {
    const policy = find(objects, 'NetworkPolicy', 'clearml-backup-egress');
    expect(policy.spec.podSelector.matchExpressions).toEqual([{ key: 'app.kubernetes.io/component', operator: 'In', values: ['backup', 'restore'] }]);
    const egress = policy.spec.egress;
    expect(egress.map((r: Manifest) => r.to?.[0]?.podSelector?.matchLabels?.['app.kubernetes.io/component'] ?? r.ports.map((p: Manifest) => p.port).join(','))).toEqual(
      ['53,53', 'mongo', 'elasticsearch', ...(props.backup!.destination?.type === 's3' ? ['9000'] : [])]);
    for (const store of ['mongo', 'elasticsearch']) {
      const from = find(objects, 'NetworkPolicy', `clearml-${store}`).spec.ingress[0].from.map((f: Manifest) => f.podSelector.matchLabels['app.kubernetes.io/component']);
      expect(from).toEqual(expect.arrayContaining(['backup', 'restore']));
    }
  });
});

describe('backups: placement and storage', () => {
  test('classic: the backup directories are node storage, prepared on the node, pods pinned there', () => {
    const objects = synthServer({ backup: {} });
    expect(find(objects, 'PersistentVolume', 'clearml.clearml-backup').spec.local.path).toBe('/opt/clearml/backup/clearml');
    expect(find(objects, 'PersistentVolume', 'clearml.clearml-elasticsearch-snapshots').spec.local.path).toBe('/opt/clearml/backup/elasticsearch');
    const args = objects.find((o) => o.kind === 'DaemonSet')!.spec.template.spec.initContainers[0].args;
    expect(args).toEqual(expect.arrayContaining(['/opt/clearml/backup/clearml:1000:1000', '/opt/clearml/backup/elasticsearch:1000:1000']));
    expect(pod(objects).nodeSelector).toEqual({ app: 'clearml' });
  });

  test('a ReadWriteOnce file-server claim: the backup pod runs beside the file server', () => {
    const spec = pod(synthServer({ defaultStorage: { type: 'claim' }, backup: {} }));
    expect(spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]).toEqual({
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'clearml', 'app.kubernetes.io/instance': 'clearml', 'app.kubernetes.io/component': 'fileserver' } },
    });
    const shared = pod(synthServer({ defaultStorage: { type: 'claim' }, fileserver: { storage: { accessModes: ['ReadWriteMany'] } }, backup: {} }));
    expect(shared.affinity).toBeUndefined();
  });

  test('claims: sizes and class follow the options', () => {
    const objects = synthServer({ defaultStorage: { type: 'claim', storageClassName: 'fast' }, backup: { destination: { storage: { size: '1Ti' }, elasticsearchStorage: { size: '300Gi', storageClassName: 'slow' } } } });
    expect(find(objects, 'PersistentVolumeClaim', 'clearml-backup').spec).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: '1Ti' } } });
    expect(find(objects, 'PersistentVolumeClaim', 'clearml-elasticsearch-snapshots').spec).toMatchObject({ storageClassName: 'slow', resources: { requests: { storage: '300Gi' } } });
  });

  test('s3: no backup volumes; the upload step carries the bucket and its endpoint', () => {
    const objects = synthServer({ backup: { destination: { ...S3, s3: { ...S3.s3, prefix: 'prod/clearml', region: 'eu-west-1' } } } });
    expect(objects.filter((o) => /backup|snapshots/.test(o.metadata.name) && /Persistent/.test(o.kind))).toEqual([]);
    const upload = pod(objects).containers[0];
    expect(upload.image).toBe('amazon/aws-cli:2.27.9');
    expect(upload.env).toEqual(expect.arrayContaining([{ name: 'S3_URL', value: 's3://clearml-backups/prod/clearml' }, { name: 'AWS_ENDPOINT_URL', value: 'https://minio.example.com:9000' }, { name: 'AWS_DEFAULT_REGION', value: 'eu-west-1' }]));
  });

  test('a MongoDB replica set is dumped through the set, as root, with the password from its Secret', () => {
    const dump = pod(synthServer(MODES['a MongoDB replica set'])).initContainers.find((c: Manifest) => c.name === 'mongo-dump');
    const uri = dump.env.find((e: Manifest) => e.name === 'MONGO_URI').value;
    expect(uri).toMatch(/^mongodb:\/\/root:\$\(MONGO_ROOT_PASSWORD\)@clearml-mongo-0\.[^,]+,clearml-mongo-1\.[^,]+,clearml-mongo-2\.[^/]+\/\?replicaSet=rs0&authSource=admin$/);
    expect(dump.env.find((e: Manifest) => e.name === 'MONGO_ROOT_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'clearml-mongo-auth', key: 'root_password' });
  });

  test('the scripts get the versions they record, and no backups without the option', () => {
    const env = pod(synthServer({ backup: {} })).containers[0].env;
    expect(env).toEqual(expect.arrayContaining([{ name: 'CLEARML_VERSION', value: DEFAULT_VERSIONS.clearml }, { name: 'MONGO_VERSION', value: DEFAULT_VERSIONS.mongo }, { name: 'BACKUP_KEEP', value: '7' }]));
    expect(synthServer({}).some((o) => /backup/.test(o.metadata.name))).toBe(false);
  });
});

describe('backups: bad options fail at synth time', () => {
  test.each([
    [{ backup: { schedule: 'daily' } }, /backup\.schedule: "daily" must be a cron schedule/],
    [{ backup: { keep: 0 } }, /backup\.keep: 0 must be an integer from 1 to 1000/],
    [{ backup: { timeZone: 'UTC+2 hours' } }, /backup\.timeZone/],
    [{ backup: { destination: { type: 's3' } } }, /backup\.destination\.s3: is required/],
    [{ backup: { destination: { type: 'tape' } } }, /backup\.destination\.type: .*"claim", "s3"/],
    [{ backup: { destination: { ...S3, storage: { size: '1Gi' } } } }, /backup\.destination\.storage: only applies to destination type "claim"/],
    [{ backup: { destination: { type: 's3', s3: { ...S3.s3, endpoint: 'minio:9000' } } } }, /s3\.endpoint: "minio:9000" must be an http/],
    [{ backup: { destination: { type: 's3', s3: { ...S3.s3, bucket: 'Bad_Bucket' } } } }, /s3\.bucket/],
    [{ backup: { destination: { type: 's3', s3: { ...S3.s3, prefix: '/x/' } } } }, /s3\.prefix/],
    [{ defaultStorage: { type: 'claim' }, elasticsearch: { replicas: 3 }, backup: {} }, /elasticsearchStorage: 3 Elasticsearch nodes all mount the snapshot repository/],
    [{ backup: { destination: { storage: { type: 'existingClaim', claimName: 'x' } } } }, /elasticsearchStorage: is required when storage is an existing claim/],
    [{ backup: { destination: { storage: { type: 'ephemeral' } } } }, /backup\.destination\.storage\.type/],
  ] as Array<[ClearmlServerProps, RegExp]>)('%j', (props, message) => {
    expect(() => synthServer(props)).toThrow(message);
  });
});
