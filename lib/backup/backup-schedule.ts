import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { container, envVars, nonRootSecurityContext, secretEnv } from '../core/container';
import { ClearmlContext, identity, objectName } from '../core/context';
import { componentMetadata, selectorLabels } from '../core/labels';
import { resources } from '../core/resources';
import { SchedulingOptions } from '../core/scheduling';
import { createServiceAccount, podTemplate, ServiceEndpoint } from '../core/workload';
import { MongoBackend } from '../datastores/backends';
import { replicaSetEnv } from '../datastores/mongo-replica-set';
import { DataVolume } from '../storage/data-volume';
import { ResolvedBackup, ResolvedS3 } from './backup-options';
import { BACKUP_ID_SCRIPT, CLAIM_FINISH_SCRIPT, ELASTICSEARCH_SNAPSHOT_SCRIPT, FILES_ARCHIVE_SCRIPT, MONGO_DUMP_SCRIPT, S3_FINISH_SCRIPT, SNAPSHOT_REPOSITORY } from './backup-scripts';
import { repositorySettings, SnapshotRepository } from './elasticsearch-repository';

/** Props of `BackupSchedule`. */
export interface BackupScheduleProps {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** Resolved backup options. */
  readonly backup: ResolvedBackup;
  /** The bundled MongoDB, when there is one, and its replica set (which requires the root user). */
  readonly mongo?: { readonly endpoint: ServiceEndpoint; readonly replicaSet?: MongoBackend['replicaSet'] };
  /** The bundled Elasticsearch and its snapshot repository, when there is one. */
  readonly elasticsearch?: { readonly endpoint: ServiceEndpoint; readonly repository: SnapshotRepository };
  /** The file server's data. */
  readonly fileserverData: DataVolume;
  /** Volume of the dumps (`claim` destination). */
  readonly destination?: DataVolume;
}

/** The user the backup pods run as: Elasticsearch's, so the one owner fits every image and volume. */
export const BACKUP_USER = 1000;
const DUMP_ROOT = '/backup';
const WORK = '/work';
const FILES = '/fileserver';

/**
 * A CronJob that writes one backup per run: the MongoDB dump (mongo image tools), the file server's
 * data, an Elasticsearch snapshot through the snapshot API (the repository is registered by the run
 * itself, so no one runs curl by hand), then `backup.env` and retention. Runs never overlap.
 */
export class BackupSchedule extends Construct {
  /** Name of the CronJob (`kubectl create job --from=cronjob/<name>` takes a backup now). */
  public readonly cronJobName: string;

  constructor(scope: Construct, id: string, props: BackupScheduleProps) {
    super(scope, id);
    const { ctx, backup } = props;
    this.cronJobName = objectName(ctx, 'backup');
    const sa = createServiceAccount(this, ctx, 'backup');
    const dumpDir = backup.s3 ? `${WORK}/dump` : DUMP_ROOT;
    const env = [
      ...envVars({
        HOME: WORK,
        WORK: WORK,
        FILES_DIR: FILES,
        DUMP_DIR: dumpDir,
        BACKUP_KEEP: String(backup.keep),
        CLEARML_VERSION: ctx.versions.clearml,
        ...(props.elasticsearch ? { ELASTICSEARCH_VERSION: ctx.versions.elasticsearch } : {}),
        ...(props.mongo ? { MONGO_VERSION: ctx.versions.mongo } : {}),
      }),
    ];
    const mounts = {
      work: { name: 'work', mountPath: WORK },
      tmp: { name: 'tmp', mountPath: '/tmp' },
      dest: { name: 'backup', mountPath: DUMP_ROOT },
      files: { name: 'fileserver-data', mountPath: FILES, readOnly: true },
    };
    const base = backup.s3 ? [mounts.work, mounts.tmp] : [mounts.work, mounts.tmp, mounts.dest];
    const step = (name: string, image: string, script: string, extraEnv: k8s.EnvVar[], volumeMounts: k8s.VolumeMount[]) => container(ctx, {
      name,
      image,
      command: ['sh', '-c', script],
      env: [...env, ...extraEnv],
      resources: resources('100m', '256Mi', '1', '1Gi'),
      volumeMounts,
      securityContext: nonRootSecurityContext(BACKUP_USER, BACKUP_USER, true),
    });
    const init: k8s.Container[] = [];
    if (props.mongo) {
      const uri = props.mongo.replicaSet
        ? replicaSetEnv(props.mongo.replicaSet, 'MONGO_URI')
        : envVars({ MONGO_URI: `mongodb://${props.mongo.endpoint.name}:${props.mongo.endpoint.port}/` });
      init.push(step('mongo-dump', ctx.images.mongo, MONGO_DUMP_SCRIPT, uri, base));
    } else {
      // Without a bundled MongoDB the run still needs its id.
      init.push(step('backup-id', ctx.images.elasticsearch, BACKUP_ID_SCRIPT, [], base));
    }
    if (!backup.s3) init.push(step('fileserver-archive', ctx.images.mongo, FILES_ARCHIVE_SCRIPT, [], [...base, mounts.files]));
    if (props.elasticsearch) {
      init.push(step('elasticsearch-snapshot', ctx.images.elasticsearch, ELASTICSEARCH_SNAPSHOT_SCRIPT, envVars({
        ES_URL: props.elasticsearch.endpoint.url,
        ES_REPOSITORY: SNAPSHOT_REPOSITORY,
        ES_REPOSITORY_SETTINGS: JSON.stringify(repositorySettings(props.elasticsearch.repository)),
      }), [mounts.work, mounts.tmp]));
    }
    const finish = backup.s3
      // Only this step holds the bucket's credentials.
      ? step('upload', ctx.images.awscli, S3_FINISH_SCRIPT, s3Env(backup.s3), [...base, mounts.files])
      : step('finish', ctx.images.mongo, CLAIM_FINISH_SCRIPT, [], base);

    const volumes: k8s.Volume[] = [
      { name: 'work', emptyDir: {} },
      { name: 'tmp', emptyDir: {} },
      readOnlySource(props.fileserverData.podVolume('fileserver-data')),
      ...(props.destination ? [props.destination.podVolume('backup')] : []),
    ];
    const template = podTemplate(ctx, {
      component: 'backup',
      version: ctx.versions.clearml,
      serviceAccountName: sa.name,
      restartPolicy: 'Never',
      scheduling: besideReaders(ctx, props.fileserverData),
      usesNodeStorage: props.fileserverData.onNode || (props.destination?.onNode ?? false),
      podSecurityContext: { runAsNonRoot: true, runAsUser: BACKUP_USER, runAsGroup: BACKUP_USER, fsGroup: BACKUP_USER, fsGroupChangePolicy: 'OnRootMismatch' },
      initContainers: init,
      containers: [finish],
      volumes,
    });
    new k8s.KubeCronJob(this, 'CronJob', {
      metadata: componentMetadata(identity(ctx, 'backup'), this.cronJobName, ctx.namespace),
      spec: {
        schedule: backup.schedule,
        timeZone: backup.timeZone,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: selectorLabels(identity(ctx, 'backup')) },
          spec: { backoffLimit: 1, activeDeadlineSeconds: 6 * 3600, template },
        },
      },
    });
  }
}

/** A ReadWriteOnce claim of the file server is readable only on the node its pod runs on. */
function besideReaders(ctx: ClearmlContext, fileserverData: DataVolume): SchedulingOptions {
  if (fileserverData.onNode || fileserverData.shareable) return {};
  return {
    affinity: {
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selectorLabels(identity(ctx, 'fileserver')) } }],
      },
    },
  };
}

/** The AWS CLI's settings; the keys come from the Secret. */
export function s3Env(s3: ResolvedS3): k8s.EnvVar[] {
  return [
    ...envVars({
      S3_URL: `s3://${s3.bucket}/${s3.prefix}`,
      S3_PATH_STYLE: String(s3.pathStyle),
      AWS_ENDPOINT_URL: s3.endpoint,
      AWS_DEFAULT_REGION: s3.region,
      // Since 2.23 the CLI adds checksums that many S3-compatible stores reject; send them only when required.
      AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
    }),
    secretEnv('AWS_ACCESS_KEY_ID', s3.credentialsSecret, s3.accessKeyKey),
    secretEnv('AWS_SECRET_ACCESS_KEY', s3.credentialsSecret, s3.secretKeyKey),
  ];
}

/**
 * The file server's live data, mounted read-only at the source too: the kubelet applies the pod's
 * `fsGroup` (the backup user's, for the destination) to every writable volume, which would re-group
 * the live files on the first run; it leaves read-only volumes alone.
 */
function readOnlySource(volume: k8s.Volume): k8s.Volume {
  return volume.persistentVolumeClaim ? { ...volume, persistentVolumeClaim: { ...volume.persistentVolumeClaim, readOnly: true } } : volume;
}
