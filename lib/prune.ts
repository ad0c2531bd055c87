import { APP_NAME, LABEL } from './core/labels';

/**
 * Kinds `kubectl apply --prune` may delete when an option turns an object off. Deliberately absent:
 * PersistentVolume and PersistentVolumeClaim (they hold data), Namespace (deleting one deletes all its
 * claims), and Secret (the generated credentials are not in the manifests, so prune would delete them).
 */
export const PRUNE_ALLOWLIST: readonly string[] = [
  'core/v1/ConfigMap',
  'core/v1/Service',
  'core/v1/ServiceAccount',
  'apps/v1/Deployment',
  'apps/v1/StatefulSet',
  'apps/v1/DaemonSet',
  'batch/v1/Job',
  'policy/v1/PodDisruptionBudget',
  'networking.k8s.io/v1/Ingress',
  'networking.k8s.io/v1/NetworkPolicy',
  'rbac.authorization.k8s.io/v1/Role',
  'rbac.authorization.k8s.io/v1/RoleBinding',
];

/**
 * Prometheus Operator kinds (`metrics.prometheusOperator`): prunable only where the operator's CRDs are
 * installed, because kubectl refuses an allow-list entry its server does not serve.
 */
export const OPERATOR_PRUNE_ALLOWLIST: readonly string[] = ['monitoring.coreos.com/v1/ServiceMonitor', 'monitoring.coreos.com/v1/PrometheusRule'];

/** Kinds that are never pruned. */
export const NEVER_PRUNED: readonly string[] = ['core/v1/PersistentVolume', 'core/v1/PersistentVolumeClaim', 'core/v1/Namespace', 'core/v1/Secret'];

/** The label selector of one installation's objects. */
export function pruneSelector(instance = 'clearml'): string {
  return `${LABEL.partOf}=${APP_NAME},${LABEL.instance}=${instance}`;
}

/** The apply command that also removes what a change dropped, and never touches data or credentials. */
export function pruneApplyCommand(instance = 'clearml', dir = 'dist/', prometheusOperator = false): string {
  const kinds = [...PRUNE_ALLOWLIST, ...(prometheusOperator ? OPERATOR_PRUNE_ALLOWLIST : [])];
  return [`kubectl apply -f ${dir} --prune -l ${pruneSelector(instance)}`, ...kinds.map((k) => `--prune-allowlist=${k}`)].join(' \\\n  ');
}
