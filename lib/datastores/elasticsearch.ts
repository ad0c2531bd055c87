import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { ComponentOptions } from '../core/component-options';
import { container, envVars, nonRootSecurityContext } from '../core/container';
import { ClearmlContext, objectName } from '../core/context';
import { ClearmlConfigError } from '../core/errors';
import { httpProbe, startupProbe } from '../core/probes';
import { resolveResources, resources, ResolvedResources } from '../core/resources';
import { headlessServiceName, ServiceEndpoint } from '../core/workload';
import { NodeDirectory } from '../storage/node-volume';
import { ResolvedStorage, StorageOptions } from '../storage/storage-options';
import { quantityToUnits } from '../util/quantity';
import { repositoryPodParts, SnapshotRepository } from '../backup/elasticsearch-repository';
import { ElasticsearchBackend, ExternalElasticsearchOptions } from './backends';
import { createDatastore, onePodPerNode } from './datastore';

/** Options of Elasticsearch. */
export interface ElasticsearchOptions extends ComponentOptions {
  /** Where its data lives. @default - node storage `data/elastic_7`, 50Gi */
  readonly storage?: StorageOptions;
  /**
   * Nodes of the bundled cluster: 1 (single-node, as in docker-compose) or 3 and more (a cluster with
   * a headless Service, discovery, anti-affinity and a PodDisruptionBudget; needs `claim` storage).
   * @default 1
   */
  readonly replicas?: number;
  /** Use an existing Elasticsearch; nothing is deployed for it then. @default - the bundled one */
  readonly external?: ExternalElasticsearchOptions;
}

/** Props of `Elasticsearch`. */
export interface ElasticsearchProps {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** The user's options. */
  readonly options: ElasticsearchOptions;
  /** Where the data lives, resolved. */
  readonly storage: ResolvedStorage;
  /** `vm.max_map_count` the pods wait for before starting Elasticsearch. */
  readonly maxMapCount: number;
  /** Snapshot repository of the backups. @default - none */
  readonly snapshots?: SnapshotRepository;
}

/** Elasticsearch image facts. */
const ES = { uid: 1000, gid: 1000, http: 9200, transport: 9300, dataPath: '/usr/share/elasticsearch/data' } as const;
const MIB = 1024n * 1024n;
const DATA_VOLUME = 'data';

export const ELASTICSEARCH_DEFAULT_RESOURCES: ResolvedResources = resources('500m', '2Gi', '1', '2Gi');

/**
 * Elasticsearch with the settings of the official docker-compose: single-node by default, or a cluster
 * of N nodes.
 *
 * `bootstrap.memory_lock` is false: memory locking needs an unlimited memlock ulimit, and Kubernetes
 * has no per-pod ulimit API, so `true` would fail the bootstrap check or log "Unable to lock JVM
 * Memory". Swap is off on Kubernetes nodes by default, which is what memory locking protects against.
 */
export class Elasticsearch extends Construct {
  /** The Service. */
  public readonly endpoint: ServiceEndpoint;
  /** How the servers reach it. */
  public readonly backend: ElasticsearchBackend;
  /** Node directories it uses. */
  public readonly directories: readonly NodeDirectory[];
  /** Heap size in MiB, derived from the memory limit. */
  public readonly heapMiB: number;

  constructor(scope: Construct, id: string, props: ElasticsearchProps) {
    super(scope, id);
    const { ctx, options } = props;
    const replicas = options.replicas ?? 1;
    const res = resolveResources('elasticsearch.resources', ELASTICSEARCH_DEFAULT_RESOURCES, options.resources);
    // Half the container memory for the heap, the rest for Lucene's file cache (Elastic's guidance).
    this.heapMiB = Number(quantityToUnits(res.limits.memory) / MIB / 2n);
    if (this.heapMiB < 256) {
      throw new ClearmlConfigError('elasticsearch.resources.limits.memory', `"${res.limits.memory}" is too small: at least 512Mi, half of it is the JVM heap`);
    }
    const cluster = replicas > 1 ? clusterSettings(ctx, replicas) : { discovery: { 'discovery.type': 'single-node' }, nodeName: { 'node.name': 'clearml' }, fieldEnv: [] };
    const health = httpProbe('/_cluster/health?local=true', 'http', { timeoutSeconds: 5, failureThreshold: 6 });
    const repository = props.snapshots ? repositoryPodParts(ctx, props.snapshots) : { env: [], volumes: [], initContainers: [] };
    const built = createDatastore(this, ctx, {
      component: 'elasticsearch',
      options,
      version: ctx.versions.elasticsearch,
      image: ctx.images.elasticsearch,
      ports: [{ name: 'http', number: ES.http }, ...(replicas > 1 ? [{ name: 'transport', number: ES.transport }] : [])],
      user: { uid: ES.uid, gid: ES.gid },
      readOnlyRootFilesystem: false,
      data: [{
        name: DATA_VOLUME, mountPath: ES.dataPath, storage: props.storage,
        layout: { component: 'elasticsearch', name: 'elasticsearch-data', subPath: 'data/elastic_7', owner: { uid: ES.uid, gid: ES.gid } },
      }],
      replicas,
      // A cluster node per machine: two on one node would lose data together.
      scheduling: replicas > 1 ? onePodPerNode(ctx, 'elasticsearch') : {},
      terminationGracePeriodSeconds: 120,
      resources: res,
      env: [
        ...envVars({
          'bootstrap.memory_lock': 'false',
          'cluster.name': 'clearml',
          'cluster.routing.allocation.node_initial_primaries_recoveries': '500',
          'cluster.routing.allocation.disk.watermark.low': '500mb',
          'cluster.routing.allocation.disk.watermark.high': '500mb',
          'cluster.routing.allocation.disk.watermark.flood_stage': '500mb',
          ...cluster.discovery,
          'http.compression_level': '7',
          ...cluster.nodeName,
          'reindex.remote.whitelist': '*.*',
          'xpack.security.enabled': 'false',
          // The GeoIP downloader reaches out to the internet at start; ClearML does not use it.
          'ingest.geoip.downloader.enabled': 'false',
          'ES_JAVA_OPTS': `-Xms${this.heapMiB}m -Xmx${this.heapMiB}m`,
        }),
        ...cluster.fieldEnv,
        ...repository.env,
      ],
      initContainers: [waitForHost(ctx, props.maxMapCount), ...repository.initContainers],
      sharedVolumes: repository.volumes,
      probes: {
        startup: startupProbe(health, 600),
        liveness: health,
        // A single node is ready once its indices are (yellow: its replicas can never be allocated). A
        // cluster node is ready when it answers: ClearML's indices have no replicas, so one node down turns
        // the cluster red, and a cluster-wide condition would take every node out of the Service with it.
        readiness: replicas > 1 ? health : httpProbe('/_cluster/health?wait_for_status=yellow&timeout=1s', 'http', { timeoutSeconds: 5 }),
      },
    });
    this.endpoint = built.endpoint;
    this.directories = built.directories;
    this.backend = { hosts: [{ host: built.endpoint.name, port: ES.http, scheme: 'http' }], verifyCerts: true };
  }
}

/** Discovery of an N-node cluster through the headless Service; every node is master-eligible. */
function clusterSettings(ctx: ClearmlContext, replicas: number): { discovery: Record<string, string>; nodeName: Record<string, string>; fieldEnv: k8s.EnvVar[] } {
  const name = objectName(ctx, 'elasticsearch');
  return {
    discovery: {
      'discovery.seed_hosts': headlessServiceName(ctx, 'elasticsearch'),
      'cluster.initial_master_nodes': Array.from({ length: replicas }, (_, i) => `${name}-${i}`).join(','),
    },
    nodeName: {},
    fieldEnv: [{ name: 'node.name', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
  };
}

/**
 * Elasticsearch in single-node mode skips its bootstrap checks and would start with a low
 * `vm.max_map_count`, then fail under load. This waits, with a clear log line, until the node is ready.
 */
function waitForHost(ctx: ClearmlContext, maxMapCount: number) {
  return container(ctx, {
    name: 'wait-for-host',
    image: ctx.images.elasticsearch,
    command: ['bash', '-c', [
      `until [ "$(cat /proc/sys/vm/max_map_count)" -ge ${maxMapCount} ] && [ -w ${ES.dataPath} ]; do`,
      `  echo "waiting for the node: vm.max_map_count >= ${maxMapCount} and ${ES.dataPath} writable by uid ${ES.uid} (host preparation)"`,
      '  sleep 5',
      'done',
    ].join('\n')],
    resources: resources('10m', '16Mi', '100m', '64Mi'),
    volumeMounts: [{ name: DATA_VOLUME, mountPath: ES.dataPath }],
    securityContext: nonRootSecurityContext(ES.uid, ES.gid, true),
  });
}
