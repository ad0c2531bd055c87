import { ClearmlServerProps } from '../lib';

/**
 * Example configurations, synthesized into `examples/<name>/` by `npm run examples` and checked for
 * freshness by CI like `dist/`.
 */
export const EXAMPLES: Record<string, ClearmlServerProps> = {
  /** The classic single-node layout of the seed manifests: the same as the default app in `dist/`. */
  classic: {},

  /**
   * A production cluster: HTTPS Ingress for app./api./files., claims from a StorageClass (data stores
   * become StatefulSets), shared ReadWriteMany file storage, two API servers, the bundled
   * Elasticsearch, fixed users.
   */
  production: {
    domain: 'clearml.example.com',
    exposure: {
      type: 'Ingress',
      ingress: { className: 'nginx', tlsSecretName: 'clearml-example-com-tls' },
    },
    defaultStorage: { type: 'claim', storageClassName: 'fast-ssd' },
    fileserver: { storage: { type: 'claim', storageClassName: 'shared-nfs', accessModes: ['ReadWriteMany'], size: '500Gi' } },
    elasticsearch: { storage: { size: '100Gi' }, resources: { requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } } },
    apiserver: { replicas: 2 },
    webserver: { replicas: 2 },
    fixedUsers: { secretName: 'clearml-users', passwordsHashed: true },
    scheduling: { priorityClassName: 'clearml-critical' },
  },

  /**
   * High availability on three nodes labeled `app=clearml`: every server replicated and spread, an
   * Elasticsearch cluster of three and a MongoDB replica set of three (one member per node), shared
   * ReadWriteMany file storage, HTTPS Ingress, fixed users, metrics and alerts (the exporter's MongoDB user
   * is created as docs/monitoring.md shows). docs/scaling.md explains each choice.
   */
  ha: {
    domain: 'clearml.example.com',
    exposure: {
      type: 'Ingress',
      ingress: { className: 'nginx', tlsSecretName: 'clearml-example-com-tls' },
    },
    pinToNodeLabel: true,
    defaultStorage: { type: 'claim', storageClassName: 'fast-ssd' },
    fileserver: { replicas: 2, storage: { type: 'claim', storageClassName: 'shared-nfs', accessModes: ['ReadWriteMany'], size: '500Gi' } },
    elasticsearch: { replicas: 3, storage: { size: '100Gi' }, resources: { requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } } },
    mongo: { replicas: 3, storage: { size: '50Gi' } },
    apiserver: { replicas: 3 },
    webserver: { replicas: 3 },
    fixedUsers: { secretName: 'clearml-users', passwordsHashed: true },
    scheduling: { priorityClassName: 'clearml-critical' },
    metrics: { enabled: true, prometheusOperator: true, mongoCredentialsSecret: { name: 'clearml-mongo-exporter' } },
  },

  /**
   * The classic server plus two ClearML agents on the same cluster: CPU tasks from the `default` queue,
   * GPU tasks (one NVIDIA GPU each, on GPU nodes) from the `gpu` queue.
   */
  agents: {
    agents: [
      { name: 'cpu', queues: ['default'] },
      {
        name: 'gpu',
        queues: ['gpu'],
        maxPods: 2,
        taskPods: {
          defaultImage: 'nvidia/cuda:12.4.1-runtime-ubuntu22.04',
          gpu: { resourceName: 'nvidia.com/gpu', count: 1 },
          resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '4', memory: '16Gi' } },
          scheduling: {
            nodeSelector: { 'nvidia.com/gpu.present': 'true' },
            tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
          },
        },
      },
    ],
  },

  /**
   * Nightly backups to claims: the classic layout's data stores on claims, dumps and file archives on one
   * claim, Elasticsearch's snapshot repository on another, two weeks kept.
   */
  'backups-claim': {
    defaultStorage: { type: 'claim', storageClassName: 'fast-ssd' },
    backup: {
      schedule: '30 1 * * *',
      keep: 14,
      destination: { type: 'claim', storage: { storageClassName: 'standard', size: '500Gi' }, elasticsearchStorage: { storageClassName: 'standard', size: '200Gi' } },
    },
  },

  /**
   * Backups to an S3-compatible bucket (MinIO here) with a three-node Elasticsearch: its built-in S3
   * repository reads the keys from the Secret `clearml-backup-s3` through its keystore.
   */
  'backups-s3': {
    defaultStorage: { type: 'claim', storageClassName: 'fast-ssd' },
    elasticsearch: { replicas: 3 },
    backup: {
      schedule: '0 */6 * * *',
      keep: 28,
      destination: {
        type: 's3',
        s3: { endpoint: 'https://minio.example.com:9000', bucket: 'clearml-backups', prefix: 'prod/clearml', credentialsSecret: 'clearml-backup-s3' },
      },
    },
  },
};
