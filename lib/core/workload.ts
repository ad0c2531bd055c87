import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { ClearmlContext, identity, nodeSelector, objectName } from './context';
import { componentLabels, componentMetadata, selectorLabels } from './labels';

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
      nodeSelector: nodeSelector(ctx),
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

/** A Deployment for a component, with its own ServiceAccount. */
export function createDeployment(scope: Construct, ctx: ClearmlContext, spec: WorkloadSpec): k8s.KubeDeployment {
  const id = identity(ctx, spec.component, spec.version);
  const namespace = spec.namespace ?? ctx.namespace;
  const sa = createServiceAccount(scope, ctx, spec.component, namespace);
  return new k8s.KubeDeployment(scope, 'Deployment', {
    metadata: componentMetadata(id, objectName(ctx, spec.component), namespace),
    spec: {
      replicas: spec.replicas ?? 1,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels(id) },
      strategy: spec.strategy === 'Recreate'
        ? { type: 'Recreate' }
        : { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
      template: podTemplate(ctx, { ...spec, namespace, serviceAccountName: sa.name }),
    },
  });
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

/** A Service in front of a component's pods, named and numbered after its handle (first port). */
export function createService(scope: Construct, ctx: ClearmlContext, component: string, endpoint: ServiceEndpoint, ports: ServicePortSpec[], type: 'ClusterIP' | 'NodePort' = 'ClusterIP'): void {
  const id = identity(ctx, component);
  new k8s.KubeService(scope, 'Service', {
    metadata: componentMetadata(id, endpoint.name, endpoint.namespace),
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
