import { Construct } from 'constructs';
import { ComponentOptions } from '../core/component-options';
import { ClearmlContext } from '../core/context';
import { execProbe, startupProbe } from '../core/probes';
import { resolveResources, resources, ResolvedResources } from '../core/resources';
import { ServiceEndpoint } from '../core/workload';
import { NodeDirectory } from '../storage/node-volume';
import { ResolvedStorage, StorageOptions } from '../storage/storage-options';
import { ExternalRedisOptions, RedisBackend } from './backends';
import { createDatastore } from './datastore';

/** Options of Redis. */
export interface RedisOptions extends ComponentOptions {
  /** Where its snapshots live. @default - node storage `data/redis`, 5Gi */
  readonly storage?: StorageOptions;
  /** Use an existing Redis; nothing is deployed for it then. @default - the bundled one */
  readonly external?: ExternalRedisOptions;
}

/** Props of `Redis`. */
export interface RedisProps {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** The user's options. */
  readonly options: RedisOptions;
  /** Where the snapshots live, resolved. */
  readonly storage: ResolvedStorage;
}

/** The `redis` user of the official image. */
const REDIS_USER = { uid: 999, gid: 999 } as const;

export const REDIS_DEFAULT_RESOURCES: ResolvedResources = resources('100m', '128Mi', '200m', '256Mi');

/** Redis with its snapshots in `data/redis`, as in the docker-compose layout. */
export class Redis extends Construct {
  /** The Service. */
  public readonly endpoint: ServiceEndpoint;
  /** How the servers reach it. */
  public readonly backend: RedisBackend;
  /** Node directories it uses. */
  public readonly directories: readonly NodeDirectory[];

  constructor(scope: Construct, id: string, props: RedisProps) {
    super(scope, id);
    const { ctx } = props;
    // redis-cli exits 0 even on an error reply (e.g. LOADING), so compare the answer itself.
    const ping = execProbe(['sh', '-c', '[ "$(redis-cli -p 6379 ping)" = PONG ]'], { timeoutSeconds: 5 });
    const built = createDatastore(this, ctx, {
      component: 'redis',
      options: props.options,
      version: ctx.versions.redis,
      image: ctx.images.redis,
      ports: [{ name: 'redis', number: 6379 }],
      user: REDIS_USER,
      readOnlyRootFilesystem: true,
      data: [{ name: 'data', mountPath: '/data', storage: props.storage, layout: { component: 'redis', name: 'redis-data', subPath: 'data/redis', owner: REDIS_USER } }],
      resources: resolveResources('redis.resources', REDIS_DEFAULT_RESOURCES, props.options.resources),
      probes: { startup: startupProbe(ping, 300, 5), liveness: ping, readiness: ping },
    });
    this.endpoint = built.endpoint;
    this.directories = built.directories;
    this.backend = { host: built.endpoint.name, port: built.endpoint.port };
  }
}
