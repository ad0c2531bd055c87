import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { container, envVars, rootSecurityContext, RootCapability } from '../core/container';
import { ClearmlContext } from '../core/context';
import { httpProbe, startupProbe } from '../core/probes';
import { ResolvedResources } from '../core/resources';
import { createDeployment, createService, ServiceEndpoint, serviceEndpoint } from '../core/workload';
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

/** What differs between the apiserver, fileserver and webserver, which share one image and one shape. */
export interface ServerSpec {
  /** Component, also the image's server-type argument. */
  readonly component: 'apiserver' | 'fileserver' | 'webserver';
  /** Its Service handle. */
  readonly endpoint: ServiceEndpoint;
  /** Deployment strategy. */
  readonly strategy: 'Recreate' | 'RollingUpdate';
  /** Environment. */
  readonly env: k8s.EnvVar[];
  /** Health endpoint, used by all three probes. */
  readonly healthPath: string;
  /** Longest expected start, before liveness applies. */
  readonly startupSeconds: number;
  /** Requests and limits. */
  readonly resources: ResolvedResources;
  /** Shared directories to mount. @default none */
  readonly shared?: { readonly storage: ServerStorage; readonly mounts: ReadonlyArray<keyof ServerStorage> };
  /** NodePort of its Service. */
  readonly nodePort: number;
  /** Capabilities the root process needs; all others are dropped. */
  readonly capabilities: readonly RootCapability[];
}

/**
 * The Python servers run as root in the image; to write into node directories that a docker-compose
 * installation left owned by uid 1000, root needs DAC_OVERRIDE and nothing else.
 */
export const PYTHON_SERVER_CAPABILITIES: readonly RootCapability[] = ['DAC_OVERRIDE'];

/** One of the three ClearML servers: a Deployment of the `clearml/server` image and its NodePort Service. */
export function createServer(scope: Construct, ctx: ClearmlContext, spec: ServerSpec): void {
  const shared = spec.shared ? serverVolumes(spec.shared.storage, spec.shared.mounts) : { volumes: [], mounts: [] };
  const health = httpProbe(spec.healthPath, 'http', { timeoutSeconds: 5 });
  createDeployment(scope, ctx, {
    component: spec.component,
    version: ctx.versions.clearml,
    strategy: spec.strategy,
    containers: [container(ctx, {
      name: spec.component,
      image: ctx.images.clearml,
      args: [spec.component],
      env: spec.env,
      ports: { http: spec.endpoint.port },
      probes: { startup: startupProbe(health, spec.startupSeconds, 5), liveness: health, readiness: health },
      resources: spec.resources,
      volumeMounts: shared.mounts,
      securityContext: rootSecurityContext(spec.capabilities),
    })],
    volumes: shared.volumes,
  });
  createService(scope, ctx, spec.component, spec.endpoint, [{ name: 'http', port: spec.endpoint.port, targetPort: 'http', nodePort: spec.nodePort }], 'NodePort');
}
