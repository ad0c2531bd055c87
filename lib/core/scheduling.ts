import * as k8s from '../../imports/k8s';
import { checkDnsSubdomain, checkLabel } from './errors';

/** Where pods may run. Set globally, and per component on top of that. */
export interface SchedulingOptions {
  /** Node labels the pods must match (added to the ClearML node label where that applies). @default {} */
  readonly nodeSelector?: Record<string, string>;
  /** Affinity rules; a component's own affinity replaces the global one. @default - none */
  readonly affinity?: k8s.Affinity;
  /** Tolerations; a component's are added to the global ones. @default [] */
  readonly tolerations?: k8s.Toleration[];
  /** PriorityClass of the pods; a component's replaces the global one. @default - none */
  readonly priorityClassName?: string;
}

/** A component's scheduling on top of the global one. */
export function mergeScheduling(global: SchedulingOptions, own: SchedulingOptions = {}): SchedulingOptions {
  return {
    nodeSelector: { ...global.nodeSelector, ...own.nodeSelector },
    affinity: own.affinity ?? global.affinity,
    tolerations: [...(global.tolerations ?? []), ...(own.tolerations ?? [])],
    priorityClassName: own.priorityClassName ?? global.priorityClassName,
  };
}

/** The pod spec fields of a scheduling, with the node pin first when the pod must stay on the ClearML nodes. */
export function schedulingFields(s: SchedulingOptions, pin: Record<string, string> | undefined): Partial<k8s.PodSpec> {
  const nodeSelector = { ...pin, ...s.nodeSelector };
  return {
    ...(Object.keys(nodeSelector).length ? { nodeSelector } : {}),
    ...(s.affinity ? { affinity: s.affinity } : {}),
    ...(s.tolerations?.length ? { tolerations: s.tolerations } : {}),
    ...(s.priorityClassName ? { priorityClassName: s.priorityClassName } : {}),
  };
}

/** Spreads the replicas of a component across nodes, preferring but not requiring distinct nodes. */
export function spreadAcrossNodes(selector: Record<string, string>): k8s.TopologySpreadConstraint[] {
  return [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } }];
}

/** Validates the parts of scheduling options the API server would refuse: node selector labels and the priority class name. */
export function checkScheduling(option: string, s: SchedulingOptions = {}): SchedulingOptions {
  for (const [k, v] of Object.entries(s.nodeSelector ?? {})) checkLabel(`${option}.nodeSelector`, k, v);
  if (s.priorityClassName !== undefined) checkDnsSubdomain(`${option}.priorityClassName`, s.priorityClassName);
  return s;
}
