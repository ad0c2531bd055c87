import * as k8s from '../../imports/k8s';
import type { NodeDirectory } from './node-volume';

/** Storage a pod mounts, whatever backs it. */
export interface DataVolume {
  /** The pod volume, under the given name. */
  podVolume(name: string): k8s.Volume;
  /** Node storage: pods that mount it must run on the ClearML node. */
  readonly onNode: boolean;
  /** Pods on different nodes, or several replicas, can mount it at once (ReadWriteMany, read-only sources, per-pod scratch). */
  readonly shareable: boolean;
  /** Claim or volume that holds data, for the data-safety notes of the docs; undefined for scratch and read-only sources. */
  readonly claimName?: string;
  /** The node directory behind it (node storage only), for host preparation. */
  readonly directory?: NodeDirectory;
}

/** Per-pod scratch space (emptyDir): nothing survives the pod, so any number of replicas may use it. */
export const EPHEMERAL_VOLUME: DataVolume = {
  podVolume: (name) => ({ name, emptyDir: {} }),
  onNode: false,
  shareable: true,
};

/** Read-only files from a ConfigMap or a Secret. */
export function configSourceVolume(source: { readonly configMap?: string; readonly secret?: string }): DataVolume {
  return {
    podVolume: (name) => source.secret ? { name, secret: { secretName: source.secret } } : { name, configMap: { name: source.configMap! } },
    onNode: false,
    shareable: true,
  };
}

/** A claim that exists already (created by the user): only its name is known. */
export function existingClaimVolume(claimName: string, accessModes: readonly string[]): DataVolume {
  return {
    podVolume: (name) => ({ name, persistentVolumeClaim: { claimName } }),
    onNode: false,
    shareable: accessModes.includes('ReadWriteMany'),
    claimName,
  };
}
