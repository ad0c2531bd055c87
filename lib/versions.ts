/**
 * One pinned, tested set of image versions. Every image the library deploys is named here, so an
 * upgrade is a one-line change that reviewers see in the `dist/` diff.
 */
export interface VersionSet {
  /** ClearML Server release (`clearml/server` image: apiserver, webserver, fileserver, async-delete). */
  readonly clearml: string;
  /** Elasticsearch release (`docker.elastic.co/elasticsearch/elasticsearch`). */
  readonly elasticsearch: string;
  /** MongoDB release (`mongo`). */
  readonly mongo: string;
  /** Redis release (`redis`). */
  readonly redis: string;
  /** BusyBox, used by the host-preparation init container (sysctl, mkdir, chown). */
  readonly busybox: string;
  /** The pause image that keeps the host-preparation pods running after their init step. */
  readonly pause: string;
  /** The AWS CLI (`amazon/aws-cli`), which uploads backups to an S3-compatible bucket. */
  readonly awscli: string;
}

/** The versions of the current official ClearML docker-compose (server 2.3.0). */
export const DEFAULT_VERSIONS: VersionSet = {
  clearml: '2.3.0',
  elasticsearch: '8.17.0',
  mongo: '7.0.22',
  redis: '7.4.1',
  busybox: '1.37.0',
  pause: '3.10',
  awscli: '2.27.9',
};

/** Image repositories, without tags. */
export const IMAGE_REPOSITORIES = {
  clearml: 'clearml/server',
  elasticsearch: 'docker.elastic.co/elasticsearch/elasticsearch',
  mongo: 'mongo',
  redis: 'redis',
  busybox: 'busybox',
  pause: 'registry.k8s.io/pause',
  awscli: 'amazon/aws-cli',
} as const;

/** Every image the library can deploy, by role. */
export type ImageRole = keyof typeof IMAGE_REPOSITORIES;
