import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { ClearmlContext, identity, nodeSelector, objectName } from './context';
import { componentLabels, componentMetadata, selectorLabels } from './labels';
import { mergeScheduling, schedulingFields, SchedulingOptions, spreadAcrossNodes } from './scheduling';

/** How a component reaches a Service: a typed handle instead of repeated string literals. */
export interface ServiceEndpoint {
  /** Service name, which is also its host name inside the namespace. */
  readonly name: string;
  /** `<name>.<namespace>.svc`: its host name from any namespace. */
  readonly clusterHost: string;
  /** Namespace of the Service. */
  readonly namespace: string;
  /** Service port. */
  readonly port: number;
  /** `http://<name>:<port>`: the address from inside the same namespace. */
  readonly url: string;
  /** `http://<name>.<namespace>.svc:<port>`: the address from any namespace. */
  readonly clusterUrl: string;
}

/** A pod-owning workload of one component. */
export interface WorkloadSpec {
  /** Component name, e.g. `apiserver`. */
  readonly component: string;
  /** Version of the software, for the version label. */
  readonly version: string;
  /** Namespace. @default ctx.namespace */
  readonly namespace?: string;
  /** Containers. */
  readonly containers: k8s.Container[];
  /** Init containers. @default none */
  readonly initContainers?: k8s.Container[];
  /** Volumes. @default none */
  readonly volumes?: k8s.Volume[];
  /** `Recreate` when two pods must never share data. */
  readonly strategy: 'Recreate' | 'RollingUpdate';
  /** Replicas. @default 1 */
  readonly replicas?: number;
  /** Pod security context (seccomp RuntimeDefault is always added). @default {} */
  readonly podSecurityContext?: k8s.PodSecurityContext;
  /** Mount the ServiceAccount token. @default false */
  readonly mountServiceAccountToken?: boolean;
  /** Seconds to wait after SIGTERM. @default 30 */
  readonly terminationGracePeriodSeconds?: number;
  /** The component's own scheduling, on top of the global one. @default {} */
  readonly scheduling?: SchedulingOptions;
  /** The pods mount node storage, so they must run on the ClearML nodes. @default false */
  readonly usesNodeStorage?: boolean;
}

/** The pod template shared by Deployments, DaemonSets and Jobs. */
export function podTemplate(ctx: ClearmlContext, spec: Omit<WorkloadSpec, 'strategy'> & { restartPolicy?: string; serviceAccountName: string }): k8s.PodTemplateSpec {
  return {
    metadata: { labels: componentLabels(identity(ctx, spec.component, spec.version)) },
    spec: {
      serviceAccountName: spec.serviceAccountName,
      automountServiceAccountToken: spec.mountServiceAccountToken ?? false,
      // Service links would inject CLEARML_REDIS_SERVICE_HOST & co. from Service names: ClearML reads those.
      enableServiceLinks: false,
      ...schedulingFields(mergeScheduling(ctx.scheduling, spec.scheduling), ctx.pinAllPods || spec.usesNodeStorage ? nodeSelector(ctx) : undefined),
      ...(ctx.imagePullSecrets.length ? { imagePullSecrets: ctx.imagePullSecrets.map((name) => ({ name })) } : {}),
      securityContext: { ...spec.podSecurityContext, seccompProfile: { type: 'RuntimeDefault' } },
      ...(spec.restartPolicy ? { restartPolicy: spec.restartPolicy } : {}),
      ...(spec.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds } : {}),
      ...(spec.initContainers?.length ? { initContainers: spec.initContainers } : {}),
      containers: spec.containers,
      ...(spec.volumes?.length ? { volumes: spec.volumes } : {}),
    },
  };
}

/** A ServiceAccount of its own for a component, without an automatically mounted token. */
export function createServiceAccount(scope: Construct, ctx: ClearmlContext, component: string, namespace = ctx.namespace): k8s.KubeServiceAccount {
  return new k8s.KubeServiceAccount(scope, 'ServiceAccount', {
    metadata: componentMetadata(identity(ctx, component), objectName(ctx, component), namespace),
    automountServiceAccountToken: false,
  });
}

/** A StatefulSet's own settings. */
export interface StatefulSetSpec {
  /** Governing (headless) Service. */
  readonly serviceName: string;
  /** Claim templates: one claim per pod and template, kept when the StatefulSet is deleted or scaled down. */
  readonly claimTemplates: ReadonlyArray<{ readonly name: string; readonly spec: k8s.PersistentVolumeClaimSpec }>;
  /** `Parallel` for clusters that must start together. @default 'OrderedReady' */
  readonly podManagementPolicy?: 'OrderedReady' | 'Parallel';
}

/** A Deployment for a component, with its own ServiceAccount (and a PodDisruptionBudget when replicated). */
export function createDeployment(scope: Construct, ctx: ClearmlContext, spec: WorkloadSpec): k8s.KubeDeployment {
  const { metadata, selector, replicas, template } = workloadParts(scope, ctx, spec);
  return new k8s.KubeDeployment(scope, 'Deployment', {
    metadata,
    spec: {
      replicas,
      revisionHistoryLimit: 5,
      selector,
      strategy: spec.strategy === 'Recreate'
        ? { type: 'Recreate' }
        : { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
      template,
    },
  });
}

/** A StatefulSet for a data store whose pods each own claims; the claims outlive it. */
export function createStatefulSet(scope: Construct, ctx: ClearmlContext, spec: Omit<WorkloadSpec, 'strategy'> & StatefulSetSpec): k8s.KubeStatefulSet {
  const { metadata, selector, replicas, template, id } = workloadParts(scope, ctx, spec);
  return new k8s.KubeStatefulSet(scope, 'StatefulSet', {
    metadata,
    spec: {
      replicas,
      revisionHistoryLimit: 5,
      serviceName: spec.serviceName,
      selector,
      podManagementPolicy: spec.podManagementPolicy ?? 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate' },
      // Data is never deleted with the StatefulSet or by scaling down.
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      volumeClaimTemplates: spec.claimTemplates.map((t) => ({ metadata: { name: t.name, labels: componentLabels({ ...id, version: undefined }) }, spec: t.spec })),
      template,
    },
  });
}

/** What Deployments and StatefulSets share: ServiceAccount, metadata, selector, pod template, spread and budget. */
function workloadParts(scope: Construct, ctx: ClearmlContext, spec: Omit<WorkloadSpec, 'strategy'>) {
  const id = identity(ctx, spec.component, spec.version);
  const namespace = spec.namespace ?? ctx.namespace;
  const sa = createServiceAccount(scope, ctx, spec.component, namespace);
  const replicas = spec.replicas ?? 1;
  const metadata = componentMetadata(id, objectName(ctx, spec.component), namespace);
  const selector = { matchLabels: selectorLabels(id) };
  const base = podTemplate(ctx, { ...spec, namespace, serviceAccountName: sa.name });
  // Several replicas are for availability: spread them, and keep all but one up through node drains.
  const template = replicas > 1 ? { ...base, spec: { ...base.spec!, topologySpreadConstraints: spreadAcrossNodes(selectorLabels(id)) } } : base;
  if (replicas > 1) {
    new k8s.KubePodDisruptionBudget(scope, 'DisruptionBudget', {
      metadata,
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector },
    });
  }
  return { id, metadata, selector, replicas, template };
}

/** One port of a component's Service. */
export interface ServicePortSpec {
  /** Port name (at most 15 characters). */
  readonly name: string;
  /** Service port. */
  readonly port: number;
  /** Named container port it forwards to. */
  readonly targetPort: string;
  /** NodePort, for `NodePort` Services. @default - none */
  readonly nodePort?: number;
}

/** The typed handle of a component's Service, known before the Service exists (components refer to each other). */
export function serviceEndpoint(ctx: ClearmlContext, component: string, port: number): ServiceEndpoint {
  const name = objectName(ctx, component);
  return {
    name,
    clusterHost: `${name}.${ctx.namespace}.svc`,
    namespace: ctx.namespace,
    port,
    url: `http://${name}:${port}`,
    clusterUrl: `http://${name}.${ctx.namespace}.svc:${port}`,
  };
}

/** How a server's Service is reached from outside the cluster. */
export interface ServiceExposure {
  /** Service type. */
  readonly type: ServiceType;
  /** NodePort, for `NodePort` Services. @default - none */
  readonly nodePort?: number;
  /** Service annotations (e.g. for a cloud load balancer). @default {} */
  readonly annotations?: Record<string, string>;
}

/** Service types the library creates. */
export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

/** A Service in front of a component's pods, named and numbered after its handle (first port). */
export function createService(scope: Construct, ctx: ClearmlContext, component: string, endpoint: ServiceEndpoint, ports: ServicePortSpec[], type: ServiceType = 'ClusterIP', annotations: Record<string, string> = {}): void {
  const id = identity(ctx, component);
  const metadata = componentMetadata(id, endpoint.name, endpoint.namespace);
  new k8s.KubeService(scope, 'Service', {
    metadata: Object.keys(annotations).length ? { ...metadata, annotations } : metadata,
    spec: {
      type,
      selector: selectorLabels(id),
      ports: ports.map((p) => ({
        name: p.name,
        port: p.port,
        targetPort: k8s.IntOrString.fromString(p.targetPort),
        protocol: 'TCP',
        ...(type === 'NodePort' && p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
      })),
    },
  });
}

/** The headless Service that governs a StatefulSet: stable pod DNS names, also before pods are ready (cluster discovery). */
export function createHeadlessService(scope: Construct, ctx: ClearmlContext, component: string, ports: ServicePortSpec[]): string {
  const id = identity(ctx, component);
  const name = headlessServiceName(ctx, component);
  new k8s.KubeService(scope, 'HeadlessService', {
    metadata: componentMetadata(id, name, ctx.namespace),
    spec: {
      clusterIp: 'None',
      publishNotReadyAddresses: true,
      selector: selectorLabels(id),
      ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.targetPort), protocol: 'TCP' })),
    },
  });
  return name;
}

/** Name of a component's headless Service (pods are `<instance>-<component>-<ordinal>.<this>`). */
export function headlessServiceName(ctx: ClearmlContext, component: string): string {
  return `${objectName(ctx, component)}-headless`;
}
