import * as k8s from '../../imports/k8s';
import { envVars } from '../core/container';
import { ClearmlContext } from '../core/context';
import { ServiceEndpoint, serviceEndpoint } from '../core/workload';
import { NodeVolume } from '../storage/node-volume';

/** Handles of the ClearML Services, resolved before any of them exists: the components refer to each other. */
export interface ServerEndpoints {
  /** API server (port 8008). */
  readonly apiserver: ServiceEndpoint;
  /** File server (port 8081). */
  readonly fileserver: ServiceEndpoint;
  /** Web server (port 80). */
  readonly webserver: ServiceEndpoint;
}

/** Container ports of the `clearml/server` image. */
export const SERVER_PORTS = { apiserver: 8008, fileserver: 8081, webserver: 80 } as const;

/** Resolves the Service handles of the three ClearML servers. */
export function serverEndpoints(ctx: ClearmlContext): ServerEndpoints {
  return {
    apiserver: serviceEndpoint(ctx, 'apiserver', SERVER_PORTS.apiserver),
    fileserver: serviceEndpoint(ctx, 'fileserver', SERVER_PORTS.fileserver),
    webserver: serviceEndpoint(ctx, 'webserver', SERVER_PORTS.webserver),
  };
}

/** The data stores the servers talk to. */
export interface Backends {
  /** Elasticsearch. */
  readonly elasticsearch: ServiceEndpoint;
  /** MongoDB. */
  readonly mongo: ServiceEndpoint;
  /** Redis. */
  readonly redis: ServiceEndpoint;
}

/** Node storage shared by the ClearML server pods, mounted where the docker-compose mounts it. */
export interface ServerStorage {
  /** `logs` → /var/log/clearml. */
  readonly logs: NodeVolume;
  /** `config` → /opt/clearml/config (apiserver.conf, services.conf, ...). */
  readonly config: NodeVolume;
  /** `data/fileserver` → /mnt/fileserver. */
  readonly fileserverData: NodeVolume;
}

/** Where the image expects each shared directory. */
export const SERVER_PATHS = { logs: '/var/log/clearml', config: '/opt/clearml/config', fileserverData: '/mnt/fileserver' } as const;

/** Volumes and mounts of the named shared directories. */
export function serverVolumes(storage: ServerStorage, which: ReadonlyArray<keyof ServerStorage>): { volumes: k8s.Volume[]; mounts: k8s.VolumeMount[] } {
  const name = (key: keyof ServerStorage) => key === 'fileserverData' ? 'fileserver-data' : key;
  return {
    volumes: which.map((key) => storage[key].podVolume(name(key))),
    mounts: which.map((key) => ({ name: name(key), mountPath: SERVER_PATHS[key] })),
  };
}

/**
 * Elasticsearch clusters the server configures. Each gets its hosts with an explicit scheme: an empty
 * scheme (the Helm chart's bug) only works by accident.
 */
const ELASTIC_CLUSTERS = ['events', 'workers', 'datasets', 'logs'] as const;

/** How the apiserver and the async-delete worker reach Elasticsearch, MongoDB and Redis. */
export function backendEnv(b: Backends): k8s.EnvVar[] {
  const esHosts = JSON.stringify([{ host: b.elasticsearch.name, port: b.elasticsearch.port, scheme: 'http' }]);
  return [
    ...ELASTIC_CLUSTERS.map((c) => ({ name: `CLEARML__HOSTS__ELASTIC__${c.toUpperCase()}__HOSTS`, value: esHosts })),
    ...envVars({
      CLEARML_MONGODB_SERVICE_HOST: b.mongo.name,
      CLEARML_MONGODB_SERVICE_PORT: String(b.mongo.port),
    }),
    ...redisEnv(b.redis),
  ];
}

/** Redis address (the apiserver's caches, the fileserver's token cache). */
export function redisEnv(redis: ServiceEndpoint): k8s.EnvVar[] {
  return envVars({ CLEARML_REDIS_SERVICE_HOST: redis.name, CLEARML_REDIS_SERVICE_PORT: String(redis.port) });
}

/**
 * The fileserver URL prefixes whose artifacts the apiserver schedules for deletion and the async-delete
 * worker deletes. They must be set on both, and must include every URL clients upload with.
 */
export function urlPrefixesEnv(prefixes: readonly string[]): k8s.EnvVar {
  return { name: 'CLEARML__services__async_urls_delete__fileserver__url_prefixes', value: JSON.stringify(prefixes) };
}
