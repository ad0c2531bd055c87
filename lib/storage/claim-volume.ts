import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { ClearmlContext, identity, objectName } from '../core/context';
import { componentMetadata } from '../core/labels';
import { DataVolume } from './data-volume';

/** Props of `ClaimVolume`. */
export interface ClaimVolumeProps {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** Component that owns the data, for labels. */
  readonly component: string;
  /** Volume name; the claim is `<instance>-<name>`. */
  readonly name: string;
  /** Requested size (canonical quantity). */
  readonly size: string;
  /** StorageClass. @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** Access modes. */
  readonly accessModes: readonly string[];
}

/** A PersistentVolumeClaim provisioned from a StorageClass, shared by the pods that mount it. */
export class ClaimVolume extends Construct implements DataVolume {
  public readonly claimName: string;
  public readonly onNode = false;
  public readonly shareable: boolean;

  constructor(scope: Construct, id: string, props: ClaimVolumeProps) {
    super(scope, id);
    this.claimName = objectName(props.ctx, props.name);
    this.shareable = props.accessModes.includes('ReadWriteMany');
    new k8s.KubePersistentVolumeClaim(this, 'Claim', {
      metadata: componentMetadata(identity(props.ctx, props.component), this.claimName, props.ctx.namespace),
      spec: claimSpec(props),
    });
  }

  public podVolume(name: string): k8s.Volume {
    return { name, persistentVolumeClaim: { claimName: this.claimName } };
  }
}

/** The spec of a provisioned claim (also used in StatefulSet claim templates). */
export function claimSpec(props: { readonly size: string; readonly storageClassName?: string; readonly accessModes: readonly string[] }): k8s.PersistentVolumeClaimSpec {
  return {
    accessModes: [...props.accessModes],
    ...(props.storageClassName !== undefined ? { storageClassName: props.storageClassName } : {}),
    volumeMode: 'Filesystem',
    resources: { requests: { storage: k8s.Quantity.fromString(props.size) } },
  };
}
