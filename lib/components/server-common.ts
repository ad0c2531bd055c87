import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { container, rootSecurityContext, RootCapability } from '../core/container';
import { ClearmlContext } from '../core/context';
import { httpProbe, startupProbe } from '../core/probes';
import { ComponentOptions, withExtraEnv } from '../core/component-options';
import { resolveResources, ResolvedResources } from '../core/resources';
import { createDeployment, createService, ServiceEndpoint, serviceEndpoint, ServiceExposure } from '../core/workload';
import { DataVolume } from '../storage/data-volume';

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

/** Storage shared by the ClearML server pods, mounted where the docker-compose mounts it. */
export interface ServerStorage {
  /** `logs` → /var/log/clearml. */
  readonly logs: DataVolume;
  /** `config` → /opt/clearml/config (apiserver.conf, services.conf, ...). */
  readonly config: DataVolume;
  /** `data/fileserver` → /mnt/fileserver. */
  readonly fileserverData: DataVolume;
}

/** Where the image expects each shared directory. */
export const SERVER_PATHS = { logs: '/var/log/clearml', config: '/opt/clearml/config', fileserverData: '/mnt/fileserver' } as const;

/** Volumes and mounts of the named shared directories, and whether any of them is on the node. */
export function serverVolumes(storage: ServerStorage, which: ReadonlyArray<keyof ServerStorage>): { volumes: k8s.Volume[]; mounts: k8s.VolumeMount[]; usesNodeStorage: boolean } {
  const name = (key: keyof ServerStorage) => key === 'fileserverData' ? 'fileserver-data' : key;
  return {
    volumes: which.map((key) => storage[key].podVolume(name(key))),
    mounts: which.map((key) => ({ name: name(key), mountPath: SERVER_PATHS[key] })),
    usesNodeStorage: which.some((key) => storage[key].onNode),
  };
}

/**
 * How pods that mount these volumes roll out: a surge pod may start on another node only when every
 * volume can be mounted there too (shareable) or pins it to the same node (node storage); a
 * ReadWriteOnce claim would leave it stuck on a multi-attach error, so the old pod goes first.
 */
export function rolloutFor(storage: ServerStorage, which: ReadonlyArray<keyof ServerStorage>): 'Recreate' | 'RollingUpdate' {
  return which.every((key) => storage[key].shareable || storage[key].onNode) ? 'RollingUpdate' : 'Recreate';
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
  /** The user's options of that component. */
  readonly options: ComponentOptions & { readonly replicas?: number };
  /** Its Service handle. */
  readonly endpoint: ServiceEndpoint;
  /** How its Service is exposed. */
  readonly service: ServiceExposure;
  /** Deployment strategy. */
  readonly strategy: 'Recreate' | 'RollingUpdate';
  /** Environment set by the library. */
  readonly env: k8s.EnvVar[];
  /** Health endpoint, used by all three probes. */
  readonly healthPath: string;
  /** Longest expected start, before liveness applies. */
  readonly startupSeconds: number;
  /** Default requests and limits. */
  readonly defaultResources: ResolvedResources;
  /** Volumes and mounts. @default none */
  readonly volumes?: { readonly volumes: k8s.Volume[]; readonly mounts: k8s.VolumeMount[]; readonly usesNodeStorage: boolean };
  /** Capabilities the root process needs; all others are dropped. */
  readonly capabilities: readonly RootCapability[];
  /** Entrypoint override; the component name stays the argument. @default - the image's entrypoint */
  readonly command?: string[];
  /** Containers that run to completion before the server starts. @default none */
  readonly initContainers?: k8s.Container[];
}

/**
 * The Python servers run as root in the image; to write into node directories that a docker-compose
 * installation left owned by uid 1000, root needs DAC_OVERRIDE and nothing else.
 */
export const PYTHON_SERVER_CAPABILITIES: readonly RootCapability[] = ['DAC_OVERRIDE'];

/** One of the three ClearML servers: a Deployment of the `clearml/server` image and its Service. */
export function createServer(scope: Construct, ctx: ClearmlContext, spec: ServerSpec): void {
  const volumes = spec.volumes ?? { volumes: [], mounts: [], usesNodeStorage: false };
  const health = httpProbe(spec.healthPath, 'http', { timeoutSeconds: 5 });
  createDeployment(scope, ctx, {
    component: spec.component,
    version: ctx.versions.clearml,
    strategy: spec.strategy,
    replicas: spec.options.replicas,
    scheduling: spec.options.scheduling,
    usesNodeStorage: volumes.usesNodeStorage,
    initContainers: spec.initContainers,
    containers: [container(ctx, {
      name: spec.component,
      image: ctx.images.clearml,
      command: spec.command,
      args: [spec.component],
      env: withExtraEnv(`${spec.component}.env`, spec.env, spec.options.env, spec.options.unsafeEnv),
      ports: { http: spec.endpoint.port },
      probes: { startup: startupProbe(health, spec.startupSeconds, 5), liveness: health, readiness: health },
      resources: resolveResources(`${spec.component}.resources`, spec.defaultResources, spec.options.resources),
      volumeMounts: volumes.mounts,
      securityContext: rootSecurityContext(spec.capabilities),
    })],
    volumes: volumes.volumes,
  });
  createService(scope, ctx, spec.component, spec.endpoint, [{ name: 'http', port: spec.endpoint.port, targetPort: 'http', nodePort: spec.service.nodePort }], spec.service.type, spec.service.annotations);
}
