import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { APP_NAME, LABEL } from './core/labels';

/**
 * How the manifests are applied: server-side apply under one field manager. The API server then
 * compares what we send with what it stores and writes nothing when nothing changed (client-side apply
 * re-sends PodDisruptionBudget selectors and StatefulSet claim templates on every apply), and fields a
 * change drops are removed from the live object.
 *
 * kubectl refuses `--prune` with `--server-side` (legacy pruning only sees client-side applied objects),
 * and an ApplySet prunes every kind of the set, claims and namespaces included, with no allow-list. So
 * pruning is a separate step (`pruneCommand`): it deletes this installation's objects of the allow-listed
 * kinds that are no longer in the manifests, and nothing else.
 */
export const FIELD_MANAGER = 'cdk8s-clearml';

/**
 * Kinds the prune step may delete when an option turns an object off. Deliberately absent:
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

/**
 * The labels that put an object into one installation's prune-safe apply: every object of the
 * installation carries them. Give them to your own objects in the same chart (see `addPruneLabels`) and
 * the prune step removes them too once you drop them from the chart.
 */
export function pruneLabels(instance = 'clearml'): Record<string, string> {
  return { [LABEL.partOf]: APP_NAME, [LABEL.instance]: instance };
}

/** The label selector of one installation's objects. */
export function pruneSelector(instance = 'clearml'): string {
  return Object.entries(pruneLabels(instance)).map(([k, v]) => `${k}=${v}`).join(',');
}

/**
 * Adds `pruneLabels(instance)` to every Kubernetes object under `scope` (your own objects next to a
 * `ClearmlServer` in the same chart), so that the prune step treats them as part of the installation.
 * Objects of kinds outside PRUNE_ALLOWLIST are labelled too but never pruned. Throws when an object
 * already belongs to another installation.
 */
export function addPruneLabels(scope: IConstruct, instance = 'clearml'): void {
  for (const node of scope.node.findAll()) {
    if (node instanceof ApiObject) {
      for (const [key, value] of Object.entries(pruneLabels(instance))) {
        const current = node.metadata.getLabel(key);
        if (current !== undefined && current !== value) {
          throw new Error(`addPruneLabels: ${node.kind} ${node.name} already has ${key}=${current}, not ${value}: it belongs to another installation`);
        }
        node.metadata.addLabel(key, value);
      }
    }
  }
}

/** The server-side apply of the manifests; a second run of unchanged manifests changes nothing. */
export function applyCommand(dir = 'dist/'): string {
  return `kubectl apply --server-side --field-manager=${FIELD_MANAGER} -f ${dir}`;
}

/** What the API server would change: prints nothing and exits 0 when the cluster matches the manifests. */
export function diffCommand(dir = 'dist/'): string {
  return `kubectl diff --server-side --field-manager=${FIELD_MANAGER} -f ${dir}`;
}

/** `core/v1/NetworkPolicy` → `networkpolicies`, `apps/v1/Deployment` → `deployments.apps`: kubectl's resource names. */
export function resourceName(gvk: string): string {
  const [group, , kind] = gvk.split('/');
  const lower = kind.toLowerCase();
  const plural = lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : lower.endsWith('s') ? `${lower}es` : `${lower}s`;
  return group === 'core' ? plural : `${plural}.${group}`;
}

/** One `Kind namespace name` line per object, single-spaced (custom-columns pads each listing differently). */
const COLUMNS = '-o custom-columns=KIND:.kind,NAMESPACE:.metadata.namespace,NAME:.metadata.name --no-headers | awk \'{print $1" "$2" "$3}\' | sort';

/**
 * The prune step (bash), run after the apply: lists the installation's objects of the allow-listed kinds
 * and deletes those that the manifests in `dir` no longer hold. It stops without deleting anything when
 * the manifests' objects cannot be listed (for example before the first apply).
 */
export function pruneCommand(instance = 'clearml', dir = 'dist/', prometheusOperator = false): string {
  const kinds = [...PRUNE_ALLOWLIST, ...(prometheusOperator ? OPERATOR_PRUNE_ALLOWLIST : [])].map(resourceName).join(',');
  return [
    '( set -euo pipefail; export LC_ALL=C',
    `  keep=$(kubectl get -f ${dir} ${COLUMNS})`,
    '  [ -n "$keep" ]',
    `  kubectl get ${kinds} -A -l ${pruneSelector(instance)} ${COLUMNS} | comm -23 - <(printf '%s\\n' "$keep") |`,
    '  while read -r kind namespace name; do kubectl delete "$kind" "$name" -n "$namespace"; done )',
  ].join('\n');
}

/**
 * The documented apply: server-side apply, then the prune step; never touches data or credentials.
 * `prometheusOperator` adds the operator's kinds to the prune step (only where its CRDs are installed).
 */
export function pruneApplyCommand(instance = 'clearml', dir = 'dist/', prometheusOperator = false): string {
  return `${applyCommand(dir)} && \\\n${pruneCommand(instance, dir, prometheusOperator)}`;
}
