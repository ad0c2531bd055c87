import * as k8s from '../../imports/k8s';
import { container, nonRootSecurityContext, secretEnv } from '../core/container';
import { ClearmlContext } from '../core/context';
import { resources } from '../core/resources';
import { DataVolume } from '../storage/data-volume';
import { ResolvedS3 } from './backup-options';
import { KEYSTORE_SCRIPT } from './backup-scripts';

/** Where Elasticsearch keeps its snapshots: a volume every node mounts (`fs`), or a bucket (`s3`). */
export interface SnapshotRepository {
  /** Shared volume of an `fs` repository. */
  readonly volume?: DataVolume;
  /** Bucket of an `s3` repository. */
  readonly s3?: ResolvedS3;
}

/** Mount point of the `fs` repository in the Elasticsearch pods (`path.repo`). */
export const SNAPSHOT_PATH = '/usr/share/elasticsearch/snapshots';
const ES_CONFIG = '/usr/share/elasticsearch/config';
const ES_USER = 1000;

/** What the Elasticsearch pods need for the repository: settings, volumes, and for S3 the keystore. */
export interface RepositoryPodParts {
  readonly env: k8s.EnvVar[];
  readonly volumes: Array<{ readonly volume: k8s.Volume; readonly mount: k8s.VolumeMount }>;
  readonly initContainers: k8s.Container[];
}

/**
 * `fs`: `path.repo` must name the shared directory on every node. `s3`: the module is built in; the client
 * settings are node settings (environment of the image), the credentials secure settings, so they go into
 * the keystore, built by an init container from the Secret and mounted as a single file.
 */
export function repositoryPodParts(ctx: ClearmlContext, repo: SnapshotRepository): RepositoryPodParts {
  if (repo.volume) {
    return {
      env: [{ name: 'path.repo', value: SNAPSHOT_PATH }],
      volumes: [{ volume: repo.volume.podVolume('snapshots'), mount: { name: 'snapshots', mountPath: SNAPSHOT_PATH } }],
      initContainers: [],
    };
  }
  const s3 = repo.s3!;
  return {
    env: [
      { name: 's3.client.default.endpoint', value: s3.host },
      { name: 's3.client.default.protocol', value: s3.protocol },
      { name: 's3.client.default.path_style_access', value: String(s3.pathStyle) },
    ],
    volumes: [{
      volume: { name: 'keystore', emptyDir: {} },
      mount: { name: 'keystore', mountPath: `${ES_CONFIG}/elasticsearch.keystore`, subPath: 'elasticsearch.keystore' },
    }],
    initContainers: [container(ctx, {
      name: 'keystore',
      image: ctx.images.elasticsearch,
      command: ['bash', '-c', KEYSTORE_SCRIPT],
      env: [
        secretEnv('S3_ACCESS_KEY', s3.credentialsSecret, s3.accessKeyKey),
        secretEnv('S3_SECRET_KEY', s3.credentialsSecret, s3.secretKeyKey),
      ],
      resources: resources('100m', '256Mi', '500m', '512Mi'),
      volumeMounts: [{ name: 'keystore', mountPath: '/keystore' }],
      securityContext: nonRootSecurityContext(ES_USER, ES_USER, false),
    })],
  };
}

/** The body of `PUT _snapshot/<repository>`. */
export function repositorySettings(repo: SnapshotRepository): Record<string, unknown> {
  if (repo.volume) return { type: 'fs', settings: { location: SNAPSHOT_PATH, compress: true } };
  const s3 = repo.s3!;
  return { type: 's3', settings: { bucket: s3.bucket, base_path: `${s3.prefix}/elasticsearch`, client: 'default', compress: true } };
}
