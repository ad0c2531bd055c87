import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { container, nonRootSecurityContext } from '../core/container';
import { ClearmlContext } from '../core/context';
import { ContainerProbes } from '../core/probes';
import { ResolvedResources } from '../core/resources';
import { createDeployment, createService, serviceEndpoint, ServiceEndpoint } from '../core/workload';
import { NodeVolume } from '../storage/node-volume';

/** Everything that differs between the bundled data stores. */
export interface DatastoreSpec {
  /** Component name, e.g. `mongo`. */
  readonly component: string;
  /** Software version. */
  readonly version: string;
  /** Image reference. */
  readonly image: string;
  /** Port name and number. */
  readonly port: { readonly name: string; readonly number: number };
  /** User and group the image runs as; the data directories are owned by them. */
  readonly user: { readonly uid: number; readonly gid: number };
  /** Whether the image works with a read-only root file system (scratch space then comes from emptyDirs). */
  readonly readOnlyRootFilesystem: boolean;
  /** Data volumes and where they are mounted. */
  readonly data: ReadonlyArray<{ readonly name: string; readonly volume: NodeVolume; readonly mountPath: string }>;
  /** Writable scratch directories (emptyDir). @default none */
  readonly scratch?: Record<string, string>;
  /** Probes. */
  readonly probes: ContainerProbes;
  /** Requests and limits. */
  readonly resources: ResolvedResources;
  /** Arguments. @default - the image's CMD */
  readonly args?: string[];
  /** Environment. @default none */
  readonly env?: k8s.EnvVar[];
  /** Init containers. @default none */
  readonly initContainers?: k8s.Container[];
  /** Seconds to flush on shutdown. @default 30 */
  readonly terminationGracePeriodSeconds?: number;
}

/**
 * The shape every bundled data store shares: one non-root pod on node storage, `Recreate` so that two
 * pods never open the same data files, and a ClusterIP Service.
 */
export function createDatastore(scope: Construct, ctx: ClearmlContext, spec: DatastoreSpec): ServiceEndpoint {
  const dataMounts = spec.data.map((d) => ({ volume: d.volume.podVolume(d.name), mount: { name: d.name, mountPath: d.mountPath } }));
  const scratch = Object.entries(spec.scratch ?? {}).map(([name, mountPath]) => ({ volume: { name, emptyDir: {} }, mount: { name, mountPath } }));
  const mounts = [...dataMounts, ...scratch];
  createDeployment(scope, ctx, {
    component: spec.component,
    version: spec.version,
    strategy: 'Recreate',
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
    podSecurityContext: { runAsNonRoot: true, runAsUser: spec.user.uid, runAsGroup: spec.user.gid },
    initContainers: spec.initContainers,
    containers: [container(ctx, {
      name: spec.component,
      image: spec.image,
      args: spec.args,
      env: spec.env,
      ports: { [spec.port.name]: spec.port.number },
      probes: spec.probes,
      resources: spec.resources,
      volumeMounts: mounts.map((m) => m.mount),
      securityContext: nonRootSecurityContext(spec.user.uid, spec.user.gid, spec.readOnlyRootFilesystem),
    })],
    volumes: mounts.map((m) => m.volume),
  });
  const endpoint = serviceEndpoint(ctx, spec.component, spec.port.number);
  createService(scope, ctx, spec.component, endpoint, [{ name: spec.port.name, port: spec.port.number, targetPort: spec.port.name }]);
  return endpoint;
}
