import { Construct } from 'constructs';
import { container, envVars, nonRootSecurityContext } from '../core/container';
import { ClearmlContext } from '../core/context';
import { ClearmlConfigError } from '../core/errors';
import { httpProbe, startupProbe } from '../core/probes';
import { resolveResources, resources, ResourceSpec, ResolvedResources } from '../core/resources';
import { ServiceEndpoint } from '../core/workload';
import { quantityToUnits } from '../util/quantity';
import { NodeVolume } from '../storage/node-volume';
import { createDatastore } from './datastore';

/** Options of the bundled Elasticsearch. */
export interface ElasticsearchOptions {
  /** Requests and limits; the JVM heap is half the memory limit. @default 500m/2Gi requested, 1 CPU/2Gi limit */
  readonly resources?: ResourceSpec;
  /** Capacity recorded on the data volume. @default '50Gi' */
  readonly storageSize?: string;
}

/** Props of `Elasticsearch`. */
export interface ElasticsearchProps extends ElasticsearchOptions {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** `vm.max_map_count` the pod waits for before starting Elasticsearch. */
  readonly maxMapCount: number;
}

/** Elasticsearch image facts. */
const ES = { uid: 1000, gid: 1000, port: 9200, dataPath: '/usr/share/elasticsearch/data' } as const;
const MIB = 1024n * 1024n;
const DATA_VOLUME = 'data';

export const ELASTICSEARCH_DEFAULT_RESOURCES: ResolvedResources = resources('500m', '2Gi', '1', '2Gi');

/**
 * Single-node Elasticsearch with the settings of the official docker-compose.
 *
 * `bootstrap.memory_lock` is false: memory locking needs an unlimited memlock ulimit, and Kubernetes
 * has no per-pod ulimit API, so `true` would fail the bootstrap check or log "Unable to lock JVM
 * Memory". Swap is off on Kubernetes nodes by default, which is what memory locking protects against.
 */
export class Elasticsearch extends Construct {
  /** The Service: host, port. */
  public readonly endpoint: ServiceEndpoint;
  /** Data on the node. */
  public readonly volume: NodeVolume;
  /** Heap size in MiB, derived from the memory limit. */
  public readonly heapMiB: number;

  constructor(scope: Construct, id: string, props: ElasticsearchProps) {
    super(scope, id);
    const { ctx } = props;
    const res = resolveResources('elasticsearch.resources', ELASTICSEARCH_DEFAULT_RESOURCES, props.resources);
    // Half the container memory for the heap, the rest for Lucene's file cache (Elastic's guidance).
    this.heapMiB = Number(quantityToUnits(res.limits.memory) / MIB / 2n);
    if (this.heapMiB < 256) {
      throw new ClearmlConfigError('elasticsearch.resources.limits.memory', `"${res.limits.memory}" is too small: at least 512Mi, half of it is the JVM heap`);
    }
    this.volume = new NodeVolume(this, 'Data', {
      ctx, component: 'elasticsearch', name: 'elasticsearch-data', subPath: 'data/elastic_7',
      size: props.storageSize ?? '50Gi', owner: { uid: ES.uid, gid: ES.gid },
    });
    const health = httpProbe('/_cluster/health?local=true', 'http', { timeoutSeconds: 5, failureThreshold: 6 });
    this.endpoint = createDatastore(this, ctx, {
      component: 'elasticsearch',
      version: ctx.versions.elasticsearch,
      image: ctx.images.elasticsearch,
      port: { name: 'http', number: ES.port },
      user: { uid: ES.uid, gid: ES.gid },
      readOnlyRootFilesystem: false,
      data: [{ name: DATA_VOLUME, volume: this.volume, mountPath: ES.dataPath }],
      terminationGracePeriodSeconds: 120,
      resources: res,
      env: envVars({
        'bootstrap.memory_lock': 'false',
        'cluster.name': 'clearml',
        'cluster.routing.allocation.node_initial_primaries_recoveries': '500',
        'cluster.routing.allocation.disk.watermark.low': '500mb',
        'cluster.routing.allocation.disk.watermark.high': '500mb',
        'cluster.routing.allocation.disk.watermark.flood_stage': '500mb',
        'discovery.type': 'single-node',
        'http.compression_level': '7',
        'node.name': 'clearml',
        'reindex.remote.whitelist': '*.*',
        'xpack.security.enabled': 'false',
        // The GeoIP downloader reaches out to the internet at start; ClearML does not use it.
        'ingest.geoip.downloader.enabled': 'false',
        'ES_JAVA_OPTS': `-Xms${this.heapMiB}m -Xmx${this.heapMiB}m`,
      }),
      initContainers: [waitForHost(ctx, props.maxMapCount)],
      probes: {
        startup: startupProbe(health, 600),
        liveness: health,
        // Yellow is healthy for a single node: its replicas can never be allocated.
        readiness: httpProbe('/_cluster/health?wait_for_status=yellow&timeout=1s', 'http', { timeoutSeconds: 5 }),
      },
    });
  }
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
