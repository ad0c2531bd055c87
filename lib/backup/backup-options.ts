import { checkDnsSubdomain, checkInt, checkOneOf, checkSecretKey, ClearmlConfigError } from '../core/errors';
import { ResolvedStorage, resolveStorage, StorageOptions } from '../storage/storage-options';

/** Where backups are written. */
export interface BackupDestinationOptions {
  /**
   * `claim`: a volume of the cluster (`storage`; node storage under `<nodeStorageRoot>/backup` in the
   * classic layout), with Elasticsearch's snapshot repository on a second one (`elasticsearchStorage`);
   * `s3`: an S3-compatible bucket (`s3`), used by Elasticsearch's built-in S3 repository too.
   * @default 'claim'
   */
  readonly type?: 'claim' | 's3';
  /** Volume of the MongoDB dumps and file-server archives (`claim` only). @default - `defaultStorage`'s type and class, 200Gi */
  readonly storage?: StorageOptions;
  /** Volume of Elasticsearch's snapshot repository (`claim` only); every Elasticsearch node mounts it, so 3+ nodes need ReadWriteMany. @default - the type and class of `storage`, 100Gi */
  readonly elasticsearchStorage?: StorageOptions;
  /** The bucket (`s3` only). @default - none */
  readonly s3?: S3DestinationOptions;
}

/** An S3-compatible bucket. */
export interface S3DestinationOptions {
  /** Endpoint URL, e.g. `https://minio.example.com:9000` or `https://s3.eu-west-1.amazonaws.com`. */
  readonly endpoint: string;
  /** Bucket name; it must exist. */
  readonly bucket: string;
  /** Key prefix inside the bucket (no leading or trailing `/`). @default '<namespace>/<name>' */
  readonly prefix?: string;
  /** Region passed to the S3 clients. @default 'us-east-1' */
  readonly region?: string;
  /** Secret in the ClearML namespace with the access key and secret key (never in the YAML). */
  readonly credentialsSecret: string;
  /** Key of the access key in the Secret. @default 'access-key' */
  readonly accessKeyKey?: string;
  /** Key of the secret key in the Secret. @default 'secret-key' */
  readonly secretKeyKey?: string;
  /** Path-style addressing (`<endpoint>/<bucket>`), which MinIO and most S3-compatible stores need. @default true */
  readonly pathStyle?: boolean;
}

/** Scheduled backups of MongoDB, Elasticsearch and the file server's data (on when this is set). */
export interface BackupOptions {
  /** Cron schedule (minute hour day-of-month month day-of-week). @default '30 1 * * *' */
  readonly schedule?: string;
  /** Time zone of the schedule (IANA name). @default 'Etc/UTC' */
  readonly timeZone?: string;
  /** Backups kept; older ones are deleted after each successful backup. @default 7 */
  readonly keep?: number;
  /** Where backups go. @default { type: 'claim' } */
  readonly destination?: BackupDestinationOptions;
}

/** A resolved S3 bucket. */
export interface ResolvedS3 {
  readonly endpoint: string;
  /** `host[:port]` of the endpoint, for Elasticsearch. */
  readonly host: string;
  readonly protocol: 'http' | 'https';
  readonly port: number;
  readonly bucket: string;
  readonly prefix: string;
  readonly region: string;
  readonly credentialsSecret: string;
  readonly accessKeyKey: string;
  readonly secretKeyKey: string;
  readonly pathStyle: boolean;
}

/** Backup options after defaults and validation. */
export interface ResolvedBackup {
  readonly schedule: string;
  readonly timeZone: string;
  readonly keep: number;
  /** Dumps and archives (`claim` destination). */
  readonly storage?: ResolvedStorage;
  /** Elasticsearch's snapshot repository volume (`claim` destination). */
  readonly elasticsearchStorage?: ResolvedStorage;
  /** The bucket (`s3` destination). */
  readonly s3?: ResolvedS3;
}

const BACKUP_STORAGE_TYPES = ['node', 'claim', 'existingClaim'] as const;

/** Validates the backup options against the installation; `elasticsearchReplicas` decides whether the repository volume must be shared. */
export function resolveBackup(o: BackupOptions, ctx: { namespace: string; instance: string; defaultStorage: StorageOptions; elasticsearchReplicas: number; bundledElasticsearch: boolean }): ResolvedBackup {
  const schedule = checkSchedule('backup.schedule', o.schedule ?? '30 1 * * *');
  const timeZone = o.timeZone ?? 'Etc/UTC';
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(timeZone)) {
    throw new ClearmlConfigError('backup.timeZone', `"${timeZone}" must be an IANA time zone name, e.g. "Etc/UTC" or "Europe/Berlin"`);
  }
  const keep = checkInt('backup.keep', o.keep ?? 7, 1, 1000);
  const d = o.destination ?? {};
  const type = checkOneOf('backup.destination.type', d.type ?? 'claim', ['claim', 's3']);
  if (type === 's3') {
    for (const field of ['storage', 'elasticsearchStorage'] as const) {
      if (d[field] !== undefined) throw new ClearmlConfigError(`backup.destination.${field}`, 'only applies to destination type "claim", not "s3"');
    }
    if (!d.s3) throw new ClearmlConfigError('backup.destination.s3', 'is required with destination type "s3" (endpoint, bucket, credentialsSecret)');
    return { schedule, timeZone, keep, s3: resolveS3(d.s3, `${ctx.namespace}/${ctx.instance}`) };
  }
  if (d.s3 !== undefined) throw new ClearmlConfigError('backup.destination.s3', 'only applies to destination type "s3", not "claim"');
  const fallback: StorageOptions = { type: ctx.defaultStorage.type, storageClassName: ctx.defaultStorage.storageClassName };
  const storage = resolveStorage('backup.destination.storage', d.storage, fallback, '200Gi', BACKUP_STORAGE_TYPES);
  const esFallback: StorageOptions = { type: storage.type === 'existingClaim' ? undefined : storage.type, storageClassName: storage.storageClassName };
  if (storage.type === 'existingClaim' && ctx.bundledElasticsearch && d.elasticsearchStorage === undefined) {
    throw new ClearmlConfigError('backup.destination.elasticsearchStorage', 'is required when storage is an existing claim: Elasticsearch\'s snapshot repository needs a volume of its own');
  }
  const elasticsearchStorage = ctx.bundledElasticsearch
    ? resolveStorage('backup.destination.elasticsearchStorage', d.elasticsearchStorage, esFallback, '100Gi', BACKUP_STORAGE_TYPES)
    : undefined;
  if (elasticsearchStorage && ctx.elasticsearchReplicas > 1 && !elasticsearchStorage.accessModes.includes('ReadWriteMany')) {
    throw new ClearmlConfigError('backup.destination.elasticsearchStorage', `${ctx.elasticsearchReplicas} Elasticsearch nodes all mount the snapshot repository: use a "claim" or "existingClaim" with accessModes ["ReadWriteMany"], or destination type "s3"`);
  }
  if (elasticsearchStorage && storage.type === 'existingClaim' && elasticsearchStorage.type === 'existingClaim' && elasticsearchStorage.claimName === storage.claimName) {
    throw new ClearmlConfigError('backup.destination.elasticsearchStorage.claimName', `"${storage.claimName}" is already backup.destination.storage: Elasticsearch's repository needs its own claim`);
  }
  return { schedule, timeZone, keep, storage, elasticsearchStorage };
}

function resolveS3(s: S3DestinationOptions, defaultPrefix: string): ResolvedS3 {
  const m = /^(https?):\/\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)(:(\d{1,5}))?\/?$/.exec(s.endpoint ?? '');
  if (!m) {
    throw new ClearmlConfigError('backup.destination.s3.endpoint', `"${s.endpoint}" must be an http:// or https:// URL of a host and optional port, without a path (e.g. "https://minio.example.com:9000")`);
  }
  const protocol = m[1] as 'http' | 'https';
  const port = m[5] ? Number(m[5]) : protocol === 'https' ? 443 : 80;
  // S3 bucket naming rules: 3-63 lowercase letters, digits, dots and hyphens.
  if (typeof s.bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(s.bucket)) {
    throw new ClearmlConfigError('backup.destination.s3.bucket', `"${s.bucket}" must be an S3 bucket name (3-63 lowercase letters, digits, "." and "-")`);
  }
  const prefix = s.prefix ?? defaultPrefix;
  if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(prefix)) {
    throw new ClearmlConfigError('backup.destination.s3.prefix', `"${prefix}" must be path segments of letters, digits, "_", "." and "-" separated by "/", without a leading or trailing "/"`);
  }
  const region = s.region ?? 'us-east-1';
  if (!/^[a-z0-9-]+$/.test(region)) throw new ClearmlConfigError('backup.destination.s3.region', `"${region}" must be a region name such as "us-east-1"`);
  return {
    endpoint: `${protocol}://${m[2]}${m[4] ?? ''}`,
    host: `${m[2]}${m[4] ?? ''}`,
    protocol,
    port,
    bucket: s.bucket,
    prefix,
    region,
    credentialsSecret: checkDnsSubdomain('backup.destination.s3.credentialsSecret', s.credentialsSecret),
    accessKeyKey: checkSecretKey('backup.destination.s3.accessKeyKey', s.accessKeyKey ?? 'access-key'),
    secretKeyKey: checkSecretKey('backup.destination.s3.secretKeyKey', s.secretKeyKey ?? 'secret-key'),
    pathStyle: s.pathStyle ?? true,
  };
}

/** Five cron fields of allowed characters (the API server's own check is stricter about ranges). */
function checkSchedule(option: string, s: string): string {
  const fields = typeof s === 'string' ? s.trim().split(/\s+/) : [];
  if (fields.length !== 5 || !fields.every((f) => /^[0-9*,/-]+$/.test(f))) {
    throw new ClearmlConfigError(option, `"${s}" must be a cron schedule of 5 fields (minute hour day-of-month month day-of-week), e.g. "30 1 * * *"`);
  }
  return s.trim().replace(/\s+/g, ' ');
}
