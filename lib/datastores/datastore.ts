import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { ComponentOptions, withExtraEnv } from '../core/component-options';
import { container, nonRootSecurityContext } from '../core/container';
import { ClearmlContext, identity, objectName } from '../core/context';
import { selectorLabels } from '../core/labels';
import { ContainerProbes } from '../core/probes';
import { ResolvedResources } from '../core/resources';
import { SchedulingOptions } from '../core/scheduling';
import { createDeployment, createHeadlessService, createService, createStatefulSet, serviceEndpoint, ServiceEndpoint, ServicePortSpec } from '../core/workload';
import { claimSpec } from '../storage/claim-volume';
import { NodeDirectory } from '../storage/node-volume';
import { createDataVolume, ResolvedStorage, VolumeLayout } from '../storage/storage-options';

/** One data volume of a data store. */
export interface DatastoreVolume {
  /** Pod volume name (and claim template name). */
  readonly name: string;
  /** Where the image keeps the data. */
  readonly mountPath: string;
  /** Where the data lives. */
  readonly storage: ResolvedStorage;
  /** Node layout and owner, for node storage. */
  readonly layout: VolumeLayout;
}

/** Everything that differs between the bundled data stores. */
export interface DatastoreSpec {
  /** Component name, e.g. `mongo`. */
  readonly component: string;
  /** The user's options of that component. */
  readonly options: ComponentOptions;
  /** Software version. */
  readonly version: string;
  /** Image reference. */
  readonly image: string;
  /** Named ports; the first is the Service port. */
  readonly ports: ReadonlyArray<{ readonly name: string; readonly number: number }>;
  /** User and group the image runs as; the data directories are owned by them. */
  readonly user: { readonly uid: number; readonly gid: number };
  /** Whether the image works with a read-only root file system (scratch space then comes from emptyDirs). */
  readonly readOnlyRootFilesystem: boolean;
  /** Data volumes. */
  readonly data: readonly DatastoreVolume[];
  /** Writable scratch directories (emptyDir). @default none */
  readonly scratch?: Record<string, string>;
  /** Probes. */
  readonly probes: ContainerProbes;
  /** Requests and limits, already resolved. */
  readonly resources: ResolvedResources;
  /** Arguments. @default - the image's CMD */
  readonly args?: string[];
  /** Environment set by the library. @default none */
  readonly env?: k8s.EnvVar[];
  /** Init containers. @default none */
  readonly initContainers?: k8s.Container[];
  /** Seconds to flush on shutdown. @default 30 */
  readonly terminationGracePeriodSeconds?: number;
  /** Pods (claims only: node storage holds one copy of the data). @default 1 */
  readonly replicas?: number;
  /** Scheduling the store itself wants (e.g. anti-affinity), under the user's. @default {} */
  readonly scheduling?: SchedulingOptions;
  /** How a StatefulSet starts its pods. @default - 'Parallel' for several replicas, else 'OrderedReady' */
  readonly podManagementPolicy?: 'OrderedReady' | 'Parallel';
  /** Containers beside the store's own. @default none */
  readonly sidecars?: k8s.Container[];
  /** More pod volumes (e.g. from Secrets) for init containers and sidecars. @default none */
  readonly extraVolumes?: k8s.Volume[];
  /** Volumes every pod shares (not claim templates), e.g. a snapshot repository. @default none */
  readonly sharedVolumes?: ReadonlyArray<{ readonly volume: k8s.Volume; readonly mount: k8s.VolumeMount }>;
}

/** A bundled data store as built. */
export interface BuiltDatastore {
  /** Its ClusterIP Service. */
  readonly endpoint: ServiceEndpoint;
  /** Node directories it uses, for host preparation. */
  readonly directories: readonly NodeDirectory[];
  /** The headless Service, when it is a StatefulSet. */
  readonly headlessService?: string;
  /** Pod name prefix (the workload name). */
  readonly workloadName: string;
}

/**
 * The shape every bundled data store shares: non-root pods, a ClusterIP Service, and either a
 * `Recreate` Deployment on node storage or existing claims (two pods never open the same files), or a
 * StatefulSet whose claim templates give each pod its own claim, kept when the set is deleted or scaled.
 */
export function createDatastore(scope: Construct, ctx: ClearmlContext, spec: DatastoreSpec): BuiltDatastore {
  const templated = spec.data.filter((d) => d.storage.type === 'claim');
  const direct = spec.data.filter((d) => d.storage.type !== 'claim').map((d) => ({ d, volume: createDataVolume(scope, `Volume-${d.name}`, ctx, d.storage, d.layout) }));
  const scratch = Object.entries(spec.scratch ?? {}).map(([name, mountPath]) => ({ name, mountPath }));
  const ports: ServicePortSpec[] = spec.ports.map((p) => ({ name: p.name, port: p.number, targetPort: p.name }));
  const workload = {
    component: spec.component,
    version: spec.version,
    replicas: spec.replicas,
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
    scheduling: withStoreScheduling(spec.scheduling, spec.options.scheduling),
    usesNodeStorage: direct.some((v) => v.volume.onNode),
    // fsGroup makes fresh claims (often root-owned) writable; OnRootMismatch keeps restarts from walking the data.
    podSecurityContext: { runAsNonRoot: true, runAsUser: spec.user.uid, runAsGroup: spec.user.gid, fsGroup: spec.user.gid, fsGroupChangePolicy: 'OnRootMismatch' },
    initContainers: spec.initContainers,
    containers: [container(ctx, {
      name: spec.component,
      image: spec.image,
      args: spec.args,
      env: withExtraEnv(`${spec.component}.env`, spec.env ?? [], spec.options.env, spec.options.unsafeEnv),
      ports: Object.fromEntries(spec.ports.map((p) => [p.name, p.number])),
      probes: spec.probes,
      resources: spec.resources,
      volumeMounts: [...[...spec.data, ...scratch].map((m) => ({ name: m.name, mountPath: m.mountPath })), ...(spec.sharedVolumes ?? []).map((v) => v.mount)],
      securityContext: nonRootSecurityContext(spec.user.uid, spec.user.gid, spec.readOnlyRootFilesystem),
    }), ...(spec.sidecars ?? [])],
    volumes: [...direct.map((v) => v.volume.podVolume(v.d.name)), ...scratch.map((s) => ({ name: s.name, emptyDir: {} })), ...(spec.extraVolumes ?? []), ...(spec.sharedVolumes ?? []).map((v) => v.volume)],
  };
  let headlessService: string | undefined;
  if (templated.length > 0) {
    headlessService = createHeadlessService(scope, ctx, spec.component, ports);
    createStatefulSet(scope, ctx, {
      ...workload,
      serviceName: headlessService,
      claimTemplates: templated.map((d) => ({ name: d.name, spec: claimSpec(d.storage) })),
      podManagementPolicy: spec.podManagementPolicy ?? ((spec.replicas ?? 1) > 1 ? 'Parallel' : 'OrderedReady'),
    });
  } else {
    createDeployment(scope, ctx, { ...workload, strategy: 'Recreate' });
  }
  const endpoint = serviceEndpoint(ctx, spec.component, spec.ports[0].number);
  createService(scope, ctx, spec.component, endpoint, ports.slice(0, 1));
  const directories = direct.flatMap((v) => v.volume.directory ? [v.volume.directory] : []);
  return { endpoint, directories, headlessService, workloadName: objectName(ctx, spec.component) };
}

/** At most one pod of a replicated store per node: two on one machine would be lost together. */
export function onePodPerNode(ctx: ClearmlContext, component: string): SchedulingOptions {
  return { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selectorLabels(identity(ctx, component)) } }] } } };
}

/** The user's scheduling over the store's own; affinity merges per kind, so a node affinity keeps the store's anti-affinity. */
function withStoreScheduling(store: SchedulingOptions = {}, user: SchedulingOptions = {}): SchedulingOptions {
  const defined = Object.fromEntries(Object.entries(user).filter(([, v]) => v !== undefined));
  const affinity = store.affinity || user.affinity ? { ...store.affinity, ...user.affinity } : undefined;
  return { ...store, ...defined, ...(affinity ? { affinity } : {}) };
}
