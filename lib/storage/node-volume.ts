import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { ClearmlContext, identity, objectName } from '../core/context';
import { componentMetadata } from '../core/labels';
import { DataVolume } from './data-volume';

/** A directory on the ClearML node and the owner its image needs. */
export interface NodeDirectory {
  /** Absolute path on the node. */
  readonly path: string;
  /** Owner user id; left as found when undefined. @default - unchanged */
  readonly uid?: number;
  /** Owner group id. @default - unchanged */
  readonly gid?: number;
}

/** Props of a `NodeVolume`. */
export interface NodeVolumeProps {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** Component that owns the data, for labels. */
  readonly component: string;
  /** Volume name, e.g. `elasticsearch-data`; the claim is `<instance>-<name>`. */
  readonly name: string;
  /** Directory under the node storage root, e.g. `data/elastic_7` (the docker-compose layout). */
  readonly subPath: string;
  /** Capacity recorded on the volume and requested by the claim. */
  readonly size: string;
  /** Owner the image needs. @default - unchanged */
  readonly owner?: { readonly uid: number; readonly gid: number };
}

/**
 * A directory on the ClearML node, offered to pods as a local PersistentVolume pre-bound to its claim.
 *
 * Pods then mount a claim instead of a hostPath: the scheduler sees where the data lives, and the ClearML
 * namespace can enforce Pod Security `baseline`. Reclaim policy Retain: deleting the claim never
 * deletes data.
 */
export class NodeVolume extends Construct implements DataVolume {
  /** Name of the claim pods mount. */
  public readonly claimName: string;
  /** Name of the cluster-scoped PersistentVolume. */
  public readonly volumeName: string;
  /** The directory on the node and its owner, for host preparation. */
  public readonly directory: NodeDirectory;
  public readonly onNode = true;
  /** Pods on other nodes cannot reach it; several pods on the ClearML node can. */
  public readonly shareable = false;

  constructor(scope: Construct, id: string, props: NodeVolumeProps) {
    super(scope, id);
    const { ctx } = props;
    const labelsOf = identity(ctx, props.component);
    this.claimName = objectName(ctx, props.name);
    // PersistentVolumes are cluster-scoped: the namespace keeps two installations apart.
    this.volumeName = `${ctx.namespace}.${this.claimName}`;
    this.directory = { path: `${ctx.nodeStorageRoot}/${props.subPath}`, uid: props.owner?.uid, gid: props.owner?.gid };
    const storage = k8s.Quantity.fromString(props.size);
    // The claim says "" (no dynamic provisioning); the volume leaves the class out: the API server
    // drops an empty class from a PersistentVolume, and every apply would send it again.
    const noDynamicProvisioning = '';

    new k8s.KubePersistentVolume(this, 'Volume', {
      metadata: componentMetadata(labelsOf, this.volumeName),
      spec: {
        capacity: { storage },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        volumeMode: 'Filesystem',
        local: { path: this.directory.path },
        claimRef: { namespace: ctx.namespace, name: this.claimName },
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: ctx.nodeLabel.key, operator: 'In', values: [ctx.nodeLabel.value] }] }],
          },
        },
      },
    });

    new k8s.KubePersistentVolumeClaim(this, 'Claim', {
      metadata: componentMetadata(labelsOf, this.claimName, ctx.namespace),
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: noDynamicProvisioning,
        volumeName: this.volumeName,
        resources: { requests: { storage } },
      },
    });
  }

  /** The pod volume that mounts this claim. */
  public podVolume(name: string): k8s.Volume {
    return { name, persistentVolumeClaim: { claimName: this.claimName } };
  }
}
