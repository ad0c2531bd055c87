import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { container, nonRootSecurityContext } from '../core/container';
import { ClearmlContext, identity, objectName } from '../core/context';
import { componentMetadata, selectorLabels } from '../core/labels';
import { resources } from '../core/resources';
import { SchedulingOptions } from '../core/scheduling';
import { podTemplate, createServiceAccount } from '../core/workload';
import { NodeDirectory } from '../storage/node-volume';

/** Props of `HostPreparation`. */
export interface HostPreparationProps {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** Directories to create on the node, with their owners. */
  readonly directories: readonly NodeDirectory[];
  /** Lowest `vm.max_map_count` Elasticsearch needs; a higher value on the node is left alone. */
  readonly maxMapCount: number;
  /** Run only on the ClearML nodes (`nodeLabel`). */
  readonly pinned: boolean;
  /** Where else to run: Elasticsearch's own scheduling, so every node it may land on is prepared. @default {} */
  readonly scheduling?: SchedulingOptions;
}

const COMPONENT = 'host-prep';
const HOST_MOUNT = '/host';

/**
 * Prepares every ClearML node so nobody has to ssh into it: a privileged init container raises
 * `vm.max_map_count` (never lowers it) and creates the data directories with the owners each image
 * needs; a pause container then keeps the pod Ready. It runs again after every node reboot, which
 * resets the sysctl. It lives in the privileged namespace so that the ClearML namespace can enforce
 * Pod Security `baseline`.
 */
export class HostPreparation extends Construct {
  /** Name of the DaemonSet. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: HostPreparationProps) {
    super(scope, id);
    const { ctx } = props;
    const namespace = ctx.privilegedNamespace;
    const labelsOf = identity(ctx, COMPONENT, ctx.versions.busybox);
    this.name = objectName(ctx, COMPONENT);
    const sa = createServiceAccount(this, ctx, COMPONENT, namespace);

    const prepare = container(ctx, {
      name: 'prepare-host',
      image: ctx.images.busybox,
      command: ['sh', '-c', prepareScript(props.maxMapCount)],
      args: ['prepare-host', ...props.directories.map(directoryArg)],
      resources: resources('10m', '16Mi', '100m', '64Mi'),
      volumeMounts: [{ name: 'node-storage', mountPath: `${HOST_MOUNT}${ctx.nodeStorageRoot}` }],
      // Writing a host-wide sysctl and chowning node directories needs root with full privileges.
      securityContext: { privileged: true, allowPrivilegeEscalation: true, runAsUser: 0, runAsNonRoot: false },
    });
    const keepAlive = container(ctx, {
      name: 'pause',
      image: ctx.images.pause,
      resources: resources('1m', '8Mi', '10m', '16Mi'),
      securityContext: nonRootSecurityContext(65535, 65535, true),
    });

    new k8s.KubeDaemonSet(this, 'DaemonSet', {
      metadata: componentMetadata(labelsOf, this.name, namespace),
      spec: {
        selector: { matchLabels: selectorLabels(labelsOf) },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        template: podTemplate(ctx, {
          component: COMPONENT,
          version: ctx.versions.busybox,
          serviceAccountName: sa.name,
          usesNodeStorage: props.pinned,
          scheduling: props.scheduling,
          initContainers: [prepare],
          containers: [keepAlive],
          terminationGracePeriodSeconds: 5,
          volumes: [{ name: 'node-storage', hostPath: { path: ctx.nodeStorageRoot, type: 'DirectoryOrCreate' } }],
        }),
      },
    });
  }
}

/** `path[:uid:gid]`, one shell argument per directory. */
function directoryArg(d: NodeDirectory): string {
  return d.uid === undefined ? d.path : `${d.path}:${d.uid}:${d.gid ?? d.uid}`;
}

/**
 * The init script. Directories arrive as arguments, so paths are never spliced into code. An owner is
 * applied recursively only when the directory's own owner differs: a restart does not walk the data.
 */
function prepareScript(maxMapCount: number): string {
  return [
    'set -eu',
    `want=${maxMapCount}`,
    'have=$(cat /proc/sys/vm/max_map_count)',
    'if [ "$have" -lt "$want" ]; then',
    '  sysctl -w vm.max_map_count="$want"',
    '  echo "vm.max_map_count raised from $have to $want"',
    'else',
    '  echo "vm.max_map_count is $have (>= $want): unchanged"',
    'fi',
    'for spec in "$@"; do',
    '  dir="' + HOST_MOUNT + '${spec%%:*}"',
    '  mkdir -p "$dir"',
    '  owner=""',
    '  case "$spec" in *:*) owner="${spec#*:}" ;; esac',
    '  if [ -n "$owner" ] && [ "$(stat -c %u:%g "$dir")" != "$owner" ]; then',
    '    chown -R "$owner" "$dir"',
    '    echo "$dir: owner set to $owner"',
    '  fi',
    '  echo "$dir: ready"',
    'done',
  ].join('\n');
}
