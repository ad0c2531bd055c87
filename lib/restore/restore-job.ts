/**
 * The restore Job of one backup, derived from the installation's own backup CronJob: the same images,
 * volumes, Secrets and scheduling, so it reads exactly where the backups were written.
 */
import { BACKUP_ID_PATTERN } from '../backup/backup-scripts';
import { REPLICA_SET_PASSWORD_ENV } from '../datastores/mongo-replica-set';
import { CHECK_SCRIPT, ELASTICSEARCH_RESTORE_SCRIPT, FILES_RESTORE_SCRIPT, MONGO_RESTORE_SCRIPT } from './restore-scripts';

type Manifest = Record<string, any>;

/** A bad request for a restore (no backups configured, a malformed id). */
export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}

/** Versions the backup was written with, as `clearml-restore` checked them. */
export interface ExpectedVersions {
  readonly clearml: string;
  readonly elasticsearch?: string;
  readonly mongo?: string;
}

const ROOT_CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER'];

/** The backup CronJob of an installation's manifests. */
export function findBackupCronJob(objects: readonly Manifest[]): Manifest {
  const found = objects.filter((o) => o.kind === 'CronJob' && o.metadata?.labels?.['app.kubernetes.io/component'] === 'backup');
  if (found.length !== 1) throw new RestoreError(found.length ? 'several backup CronJobs: restore one installation at a time' : 'backups are not enabled in this configuration (set backup: {...}), so there is nothing to restore from');
  return found[0];
}

/** The restore Job; throws `RestoreError` for a malformed id. */
export function restoreJob(cronJob: Manifest, backupId: string, expected: ExpectedVersions): Manifest {
  if (!new RegExp(BACKUP_ID_PATTERN).test(backupId)) throw new RestoreError(`"${backupId}" is not a backup id (like 20261201T013000Z)`);
  const template = JSON.parse(JSON.stringify(cronJob.spec.jobTemplate.spec.template));
  const spec = template.spec;
  const all: Manifest[] = [...(spec.initContainers ?? []), ...spec.containers];
  const byName = (n: string) => all.find((c) => c.name === n);
  const s3 = byName('upload');
  const mongo = byName('mongo-dump');
  const es = byName('elasticsearch-snapshot');
  const toolImage = (byName('finish') ?? mongo ?? s3)!.image;
  const baseEnv: Manifest[] = (all[0].env ?? []).filter((e: Manifest) => ['HOME', 'WORK', 'FILES_DIR', 'DUMP_DIR'].includes(e.name));
  const envOf = (c: Manifest | undefined, names: string[]) => (c?.env ?? []).filter((e: Manifest) => names.includes(e.name));
  const s3Env = s3 ? s3.env.filter((e: Manifest) => e.name.startsWith('S3_') || e.name.startsWith('AWS_')) : [];
  const env = (extra: Manifest[]) => [
    ...baseEnv,
    { name: 'BACKUP_ID', value: backupId },
    ...extra,
  ];
  const mounts = (c: Manifest | undefined, files: boolean) => [
    ...(c?.volumeMounts ?? all[0].volumeMounts).filter((m: Manifest) => m.name !== 'fileserver-data'),
    ...(files ? [{ name: 'fileserver-data', mountPath: '/fileserver' }] : []),
  ];
  const step = (name: string, from: Manifest, image: string, script: string, extraEnv: Manifest[], securityContext: Manifest, files = false) => ({
    name,
    image,
    imagePullPolicy: from.imagePullPolicy,
    command: ['sh', '-c', script],
    env: env(extraEnv),
    resources: from.resources,
    volumeMounts: mounts(from, files),
    securityContext,
  });
  const nonRoot = all[0].securityContext;
  const root = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsUser: 0, runAsGroup: 0, capabilities: { drop: ['ALL'], add: ROOT_CAPABILITIES } };
  const expectedEnv = [
    { name: 'EXPECTED_CLEARML_VERSION', value: expected.clearml },
    { name: 'EXPECTED_ELASTICSEARCH_VERSION', value: expected.elasticsearch ?? '' },
    { name: 'EXPECTED_MONGO_VERSION', value: expected.mongo ?? '' },
  ];
  const init = [
    step('check', s3 ?? all[0], s3 ? s3.image : toolImage, CHECK_SCRIPT, [...expectedEnv, ...s3Env], nonRoot),
    ...(mongo ? [step('mongo-restore', mongo, mongo.image, MONGO_RESTORE_SCRIPT, envOf(mongo, ['MONGO_URI', REPLICA_SET_PASSWORD_ENV]), nonRoot)] : []),
    // The file server's data belongs to root (its server runs as root): restoring it needs root's file capabilities.
    step('files-restore', s3 ?? all[0], s3 ? s3.image : toolImage, FILES_RESTORE_SCRIPT, s3Env, root, true),
  ];
  const main = es
    ? step('elasticsearch-restore', es, es.image, ELASTICSEARCH_RESTORE_SCRIPT, envOf(es, ['ES_URL', 'ES_REPOSITORY', 'ES_REPOSITORY_SETTINGS']), nonRoot)
    : step('done', all[0], toolImage, 'echo "backup $BACKUP_ID restored (no bundled Elasticsearch)"', [], nonRoot);
  const labels = { ...template.metadata.labels, 'app.kubernetes.io/component': 'restore' };
  // The file server is scaled down during a restore: nothing to stand beside.
  const affinity = spec.affinity && { ...spec.affinity };
  if (affinity) delete affinity.podAffinity;
  const { runAsNonRoot: _a, runAsUser: _u, runAsGroup: _g, ...podSecurity } = spec.securityContext;
  const instance = cronJob.metadata.labels['app.kubernetes.io/instance'];
  // The backup reads the file server's data read-only; the restore writes it.
  const volumes = spec.volumes.map((v: Manifest) => (v.name === 'fileserver-data' && v.persistentVolumeClaim
    ? { ...v, persistentVolumeClaim: { claimName: v.persistentVolumeClaim.claimName } }
    : v));
  const podSpec: Manifest = { ...spec, securityContext: podSecurity, initContainers: init, containers: [main], volumes };
  if (affinity && Object.keys(affinity).length) podSpec.affinity = affinity;
  else delete podSpec.affinity;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `${instance}-restore-${backupId.toLowerCase()}`,
      namespace: cronJob.metadata.namespace,
      labels: { ...cronJob.metadata.labels, 'app.kubernetes.io/component': 'restore' },
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: 6 * 3600,
      template: { metadata: { labels }, spec: podSpec },
    },
  };
}
