import * as k8s from '../../imports/k8s';
import { compareQuantities } from '../util/quantity';
import { checkQuantity, ClearmlConfigError } from './errors';

/** CPU and memory amounts, as Kubernetes quantities (e.g. `500m`, `2Gi`). */
export interface ResourceAmounts {
  /** CPU, e.g. `500m`. @default - the component's default */
  readonly cpu?: string;
  /** Memory, e.g. `1Gi`. @default - the component's default */
  readonly memory?: string;
}

/** Requests and limits of one container. */
export interface ResourceSpec {
  /** What the scheduler reserves. @default - the component's default */
  readonly requests?: ResourceAmounts;
  /** The most the container may use. @default - the component's default */
  readonly limits?: ResourceAmounts;
}

/** Fully resolved requests and limits, in canonical quantity form. */
export interface ResolvedResources {
  readonly requests: Required<ResourceAmounts>;
  readonly limits: Required<ResourceAmounts>;
}

/**
 * Merges user overrides onto a component's defaults, canonicalises every quantity (so re-applies are
 * no-ops) and refuses a request above its limit, which the API server would reject.
 */
export function resolveResources(option: string, defaults: ResolvedResources, override: ResourceSpec = {}): ResolvedResources {
  const amounts = (kind: 'requests' | 'limits'): Required<ResourceAmounts> => ({
    cpu: checkQuantity(`${option}.${kind}.cpu`, override[kind]?.cpu ?? defaults[kind].cpu),
    memory: checkQuantity(`${option}.${kind}.memory`, override[kind]?.memory ?? defaults[kind].memory),
  });
  const resolved = { requests: amounts('requests'), limits: amounts('limits') };
  for (const r of ['cpu', 'memory'] as const) {
    if (compareQuantities(resolved.requests[r], resolved.limits[r]) > 0) {
      throw new ClearmlConfigError(`${option}.requests.${r}`,
        `"${resolved.requests[r]}" must not exceed the limit "${resolved.limits[r]}" (${option}.limits.${r})`);
    }
  }
  return resolved;
}

/** The Kubernetes form of resolved resources. */
export function toResourceRequirements(r: ResolvedResources): k8s.ResourceRequirements {
  const q = (a: Required<ResourceAmounts>) => ({ cpu: k8s.Quantity.fromString(a.cpu), memory: k8s.Quantity.fromString(a.memory) });
  return { requests: q(r.requests), limits: q(r.limits) };
}

/** Shorthand for a defaults table entry. */
export function resources(requestCpu: string, requestMemory: string, limitCpu: string, limitMemory: string): ResolvedResources {
  return { requests: { cpu: requestCpu, memory: requestMemory }, limits: { cpu: limitCpu, memory: limitMemory } };
}
