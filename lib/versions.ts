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
  /** prometheus-community elasticsearch_exporter (opt-in metrics). */
  readonly elasticsearchExporter: string;
  /** Percona mongodb_exporter (opt-in metrics). */
  readonly mongoExporter: string;
  /** oliver006 redis_exporter (opt-in metrics). */
  readonly redisExporter: string;
  /** The ClearML agent's Kubernetes glue (`allegroai/clearml-agent-k8s-base`), used by `agents`. */
  readonly k8sGlue: string;
  /** The AWS CLI (`amazon/aws-cli`), which uploads backups to an S3-compatible bucket. */
  readonly awscli: string;
}

/**
 * The versions of ClearML Server 2.4.0: Elasticsearch 8.19.9 from its release notes; MongoDB 8.0.15 and
 * Redis 8.2.3 from clearml-server's docker/compose.yaml at the commit that moved to Elasticsearch 8.19.9.
 * Upgrading from 2.3.0 (MongoDB 7.0) follows the upgrade rules: docs/backup.md#upgrading.
 */
export const DEFAULT_VERSIONS: VersionSet = {
  clearml: '2.4.0',
  elasticsearch: '8.19.9',
  mongo: '8.0.15',
  redis: '8.2.3',
  busybox: '1.37.0',
  pause: '3.10',
  elasticsearchExporter: 'v1.11.0',
  mongoExporter: '0.53.0',
  redisExporter: 'v1.88.0',
  k8sGlue: '1.24-21',
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
  elasticsearchExporter: 'quay.io/prometheuscommunity/elasticsearch-exporter',
  mongoExporter: 'percona/mongodb_exporter',
  redisExporter: 'oliver006/redis_exporter',
  k8sGlue: 'allegroai/clearml-agent-k8s-base',
  awscli: 'amazon/aws-cli',
} as const;

/** Every image the library can deploy, by role. */
export type ImageRole = keyof typeof IMAGE_REPOSITORIES;
