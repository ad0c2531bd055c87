import { ImageRole, VersionSet } from '../versions';
import { ComponentIdentity } from './labels';
import { SchedulingOptions } from './scheduling';

/** A node label `key=value` that marks the nodes ClearML runs on. */
export interface NodeLabel {
  /** Label key. */
  readonly key: string;
  /** Label value. */
  readonly value: string;
}

/**
 * Settings resolved once by `ClearmlServer` and shared by every component, so that components never
 * re-derive names, images or placement on their own.
 */
export interface ClearmlContext {
  /** Installation name: object name prefix and `app.kubernetes.io/instance`. */
  readonly instance: string;
  /** Namespace of the ClearML workloads. */
  readonly namespace: string;
  /** Namespace of the privileged host-level workloads. */
  readonly privilegedNamespace: string;
  /** Pinned versions. */
  readonly versions: VersionSet;
  /** Full image reference for each role. */
  readonly images: Readonly<Record<ImageRole, string>>;
  /** Image pull policy of every container. */
  readonly imagePullPolicy: string;
  /** Pods are scheduled on nodes with this label. */
  readonly nodeLabel: NodeLabel;
  /** Root of the node storage on the ClearML node. */
  readonly nodeStorageRoot: string;
  /** Pin every pod to the ClearML nodes, not only those with node storage (the classic layout). */
  readonly pinAllPods: boolean;
  /** Scheduling of every pod, under each component's own. */
  readonly scheduling: SchedulingOptions;
  /** Secrets for pulling images from private registries. */
  readonly imagePullSecrets: readonly string[];
}

/** `<instance>-<component>`: the readable, stable name of a component's objects. */
export function objectName(ctx: ClearmlContext, component: string): string {
  return `${ctx.instance}-${component}`;
}

/** Identity (labels) of a component. */
export function identity(ctx: ClearmlContext, component: string, version?: string): ComponentIdentity {
  return { instance: ctx.instance, component, version };
}

/** Node selector that pins pods to the ClearML nodes. */
export function nodeSelector(ctx: ClearmlContext): Record<string, string> {
  return { [ctx.nodeLabel.key]: ctx.nodeLabel.value };
}
