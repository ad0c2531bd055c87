import { Construct } from 'constructs';
import { ClearmlContext } from '../core/context';
import { execProbe, startupProbe } from '../core/probes';
import { resolveResources, resources, ResourceSpec, ResolvedResources } from '../core/resources';
import { ServiceEndpoint } from '../core/workload';
import { NodeVolume } from '../storage/node-volume';
import { createDatastore } from './datastore';

/** Options of the bundled Redis. */
export interface RedisOptions {
  /** Requests and limits. @default 100m/128Mi requested, 200m/256Mi limit */
  readonly resources?: ResourceSpec;
  /** Capacity recorded on the data volume. @default '5Gi' */
  readonly storageSize?: string;
}

/** Props of `Redis`. */
export interface RedisProps extends RedisOptions {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
}

/** The `redis` user of the official image. */
const REDIS_USER = { uid: 999, gid: 999 } as const;

export const REDIS_DEFAULT_RESOURCES: ResolvedResources = resources('100m', '128Mi', '200m', '256Mi');

/** Redis with its snapshots in `data/redis`, as in the docker-compose layout. */
export class Redis extends Construct {
  /** The Service: host, port. */
  public readonly endpoint: ServiceEndpoint;
  /** Snapshots on the node. */
  public readonly volume: NodeVolume;

  constructor(scope: Construct, id: string, props: RedisProps) {
    super(scope, id);
    const { ctx } = props;
    this.volume = new NodeVolume(this, 'Data', { ctx, component: 'redis', name: 'redis-data', subPath: 'data/redis', size: props.storageSize ?? '5Gi', owner: REDIS_USER });
    // redis-cli exits 0 even on an error reply (e.g. LOADING), so compare the answer itself.
    const ping = execProbe(['sh', '-c', '[ "$(redis-cli -p 6379 ping)" = PONG ]'], { timeoutSeconds: 5 });
    this.endpoint = createDatastore(this, ctx, {
      component: 'redis',
      version: ctx.versions.redis,
      image: ctx.images.redis,
      port: { name: 'redis', number: 6379 },
      user: REDIS_USER,
      readOnlyRootFilesystem: true,
      data: [{ name: 'data', volume: this.volume, mountPath: '/data' }],
      resources: resolveResources('redis.resources', REDIS_DEFAULT_RESOURCES, props.resources),
      probes: { startup: startupProbe(ping, 300, 5), liveness: ping, readiness: ping },
    });
  }
}
