import * as k8s from '../../imports/k8s';
import { ClearmlContext } from './context';
import { ContainerProbes } from './probes';
import { ResolvedResources, toResourceRequirements } from './resources';

/** One container of a component. */
export interface ContainerSpec {
  /** Container name. */
  readonly name: string;
  /** Image reference. */
  readonly image: string;
  /** Entrypoint override. @default - the image's entrypoint */
  readonly command?: string[];
  /** Arguments. @default - the image's CMD */
  readonly args?: string[];
  /** Environment. @default none */
  readonly env?: k8s.EnvVar[];
  /** Named ports. @default none */
  readonly ports?: Record<string, number>;
  /** Probes. @default none (init containers) */
  readonly probes?: ContainerProbes;
  /** Requests and limits. */
  readonly resources: ResolvedResources;
  /** Volume mounts. @default none */
  readonly volumeMounts?: k8s.VolumeMount[];
  /** Security context; `allowPrivilegeEscalation: false` unless set. @default {} */
  readonly securityContext?: k8s.SecurityContext;
}

/** A container with the library's defaults: pinned image, pull policy, no privilege escalation. */
export function container(ctx: ClearmlContext, spec: ContainerSpec): k8s.Container {
  return {
    name: spec.name,
    image: spec.image,
    imagePullPolicy: ctx.imagePullPolicy,
    ...(spec.command ? { command: spec.command } : {}),
    ...(spec.args ? { args: spec.args } : {}),
    ...(spec.env?.length ? { env: spec.env } : {}),
    ...(spec.ports ? { ports: Object.entries(spec.ports).map(([name, containerPort]) => ({ name, containerPort, protocol: 'TCP' })) } : {}),
    ...(spec.probes ? { livenessProbe: spec.probes.liveness, readinessProbe: spec.probes.readiness } : {}),
    ...(spec.probes?.startup ? { startupProbe: spec.probes.startup } : {}),
    resources: toResourceRequirements(spec.resources),
    ...(spec.volumeMounts?.length ? { volumeMounts: spec.volumeMounts } : {}),
    securityContext: { allowPrivilegeEscalation: false, ...spec.securityContext },
  };
}

/** Plain environment variables, in the given order. */
export function envVars(values: Record<string, string>): k8s.EnvVar[] {
  return Object.entries(values).map(([name, value]) => ({ name, value }));
}

/** An environment variable read from a Secret key. */
export function secretEnv(name: string, secretName: string, key: string): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
}

/** The security context of a container that runs as a fixed non-root user with no capabilities. */
export function nonRootSecurityContext(uid: number, gid: number, readOnlyRootFilesystem: boolean): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    readOnlyRootFilesystem,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
  };
}

/**
 * The security context of a container whose image must run as root: every capability dropped except
 * the few it needs, all of them within Pod Security `baseline`.
 */
export function rootSecurityContext(add: readonly RootCapability[]): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'], ...(add.length ? { add: [...add] } : {}) },
  };
}

/** Capabilities Pod Security `baseline` allows a container to add. */
export const BASELINE_CAPABILITIES = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'] as const;

/** One of the capabilities `baseline` allows. */
export type RootCapability = typeof BASELINE_CAPABILITIES[number];
