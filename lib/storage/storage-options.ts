import { Construct } from 'constructs';
import { ClearmlContext } from '../core/context';
import { checkDnsSubdomain, checkOneOf, checkPositiveQuantity, ClearmlConfigError } from '../core/errors';
import { ClaimVolume } from './claim-volume';
import { DataVolume, EPHEMERAL_VOLUME, existingClaimVolume } from './data-volume';
import { NodeVolume } from './node-volume';

/** Access modes of a claim. */
export type AccessMode = 'ReadWriteOnce' | 'ReadWriteMany' | 'ReadWriteOncePod';

/** Kinds of storage. */
export type StorageType = 'node' | 'claim' | 'existingClaim' | 'ephemeral';

/** Where one data store (or the servers' logs and config) keeps its data. */
export interface StorageOptions {
  /**
   * `node`: a directory under `nodeStorageRoot` on the ClearML node, as a local PersistentVolume (the
   * classic layout); `claim`: a PersistentVolumeClaim from a StorageClass (data stores become
   * StatefulSets that keep their claims); `existingClaim`: a claim you created; `ephemeral`: an emptyDir
   * (`serverStorage.logs` and `serverStorage.config` only: data stores and file storage refuse it).
   * @default - data stores and file storage: `defaultStorage.type`, else 'node'; `serverStorage`: see ServerStorageOptions
   */
  readonly type?: StorageType;
  /** StorageClass of new claims (`claim` only). @default - `defaultStorage.storageClassName`, else the cluster's default */
  readonly storageClassName?: string;
  /** Size of the volume or claim. @default - per store (docs/options.md) */
  readonly size?: string;
  /** Access modes of new claims (`claim` only), or of the existing claim. @default ['ReadWriteOnce'] */
  readonly accessModes?: AccessMode[];
  /** Name of the existing claim (`existingClaim` only). @default - none */
  readonly claimName?: string;
}

/** Kinds of storage that can serve every data store at once (one existing claim cannot, nor an emptyDir). */
export type DefaultStorageType = 'node' | 'claim';

/** The installation-wide storage default (`defaultStorage`): the options of `StorageOptions` that every store can share. */
export interface DefaultStorageOptions {
  /**
   * `node`: a directory under `nodeStorageRoot` on the ClearML node, as a local PersistentVolume (the
   * classic layout); `claim`: a PersistentVolumeClaim from a StorageClass (data stores become
   * StatefulSets that keep their claims).
   * @default 'node'
   */
  readonly type?: DefaultStorageType;
  /** StorageClass of new claims (`claim` only). @default - the cluster's default */
  readonly storageClassName?: string;
  /** Size of each store's volume or claim. @default - per store (docs/options.md) */
  readonly size?: string;
  /** Access modes of new claims (`claim` only). @default ['ReadWriteOnce'] */
  readonly accessModes?: AccessMode[];
}

/** Storage options after defaults and validation. */
export interface ResolvedStorage {
  readonly type: StorageType;
  readonly size: string;
  readonly storageClassName?: string;
  readonly accessModes: readonly AccessMode[];
  readonly claimName?: string;
}

const ACCESS_MODES: readonly AccessMode[] = ['ReadWriteOnce', 'ReadWriteMany', 'ReadWriteOncePod'];

/** Merges a store's storage onto the installation default, and refuses options that do not apply to its type. */
export function resolveStorage(option: string, own: StorageOptions | undefined, fallback: StorageOptions, defaultSize: string, allowed: readonly StorageType[]): ResolvedStorage {
  const merged: StorageOptions = { ...fallback, ...own };
  const type = checkOneOf(`${option}.type`, merged.type ?? 'node', allowed as StorageType[]);
  const only = (field: keyof StorageOptions, types: StorageType[]) => {
    if (own?.[field] !== undefined && !types.includes(type)) {
      throw new ClearmlConfigError(`${option}.${field}`, `only applies to storage type ${types.map((t) => `"${t}"`).join(' or ')}, not "${type}"`);
    }
  };
  only('storageClassName', ['claim']);
  only('accessModes', ['claim', 'existingClaim']);
  only('claimName', ['existingClaim']);
  if (type === 'existingClaim' && merged.claimName === undefined) {
    throw new ClearmlConfigError(`${option}.claimName`, 'is required with storage type "existingClaim"');
  }
  const accessModes: AccessMode[] = type === 'claim' || type === 'existingClaim' ? merged.accessModes ?? ['ReadWriteOnce'] : ['ReadWriteOnce'];
  if (accessModes.length === 0) {
    throw new ClearmlConfigError(`${option}.accessModes`, 'must name at least one of "ReadWriteOnce", "ReadWriteMany", "ReadWriteOncePod"');
  }
  accessModes.forEach((m, i) => checkOneOf(`${option}.accessModes[${i}]`, m, ACCESS_MODES as AccessMode[]));
  return {
    type,
    size: checkPositiveQuantity(`${option}.size`, merged.size ?? defaultSize),
    storageClassName: type === 'claim' && merged.storageClassName !== undefined ? checkDnsSubdomain(`${option}.storageClassName`, merged.storageClassName) : undefined,
    accessModes,
    claimName: type === 'existingClaim' ? checkDnsSubdomain(`${option}.claimName`, merged.claimName!) : undefined,
  };
}

/** Where a shared volume lives on the node and who owns it. */
export interface VolumeLayout {
  /** Component that owns the data, for labels. */
  readonly component: string;
  /** Volume name; objects are `<instance>-<name>`. */
  readonly name: string;
  /** Directory under the node storage root (the docker-compose layout). */
  readonly subPath: string;
  /** Owner the image needs. @default - unchanged */
  readonly owner?: { readonly uid: number; readonly gid: number };
}

/** A volume mounted by pods directly (not a StatefulSet claim template). */
export function createDataVolume(scope: Construct, id: string, ctx: ClearmlContext, storage: ResolvedStorage, layout: VolumeLayout): DataVolume {
  switch (storage.type) {
    case 'node':
      return new NodeVolume(scope, id, { ctx, ...layout, size: storage.size });
    case 'claim':
      return new ClaimVolume(scope, id, { ctx, component: layout.component, name: layout.name, size: storage.size, storageClassName: storage.storageClassName, accessModes: storage.accessModes });
    case 'existingClaim':
      return existingClaimVolume(storage.claimName!, storage.accessModes);
    case 'ephemeral':
      return EPHEMERAL_VOLUME;
  }
}
