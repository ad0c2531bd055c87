import { Construct } from 'constructs';
import { ComponentOptions } from '../core/component-options';
import { envVars } from '../core/container';
import { ClearmlContext } from '../core/context';
import { execProbe, startupProbe } from '../core/probes';
import { resolveResources, resources, ResolvedResources } from '../core/resources';
import { ServiceEndpoint } from '../core/workload';
import { NodeDirectory } from '../storage/node-volume';
import { ResolvedStorage, StorageOptions } from '../storage/storage-options';
import { ExternalMongoOptions, MongoBackend } from './backends';
import { createDatastore } from './datastore';
import { replicaSetParts } from './mongo-replica-set';

/** Options of MongoDB. */
export interface MongoOptions extends ComponentOptions {
  /** Where its database lives (`configdb` is on the node with it, else scratch). @default - node storage `data/mongo_4/db`, 50Gi */
  readonly storage?: StorageOptions;
  /**
   * Members of the bundled MongoDB: 1 (a standalone, as in docker-compose) or 3, 5 or 7 (a replica set
   * with a generated key file and root user, one member per node and a PodDisruptionBudget; needs
   * `claim` storage). docs/scaling.md describes the move from 1 to 3, which keeps the data.
   * @default 1
   */
  readonly replicas?: number;
  /** Use an existing MongoDB; nothing is deployed for it then. @default - the bundled one */
  readonly external?: ExternalMongoOptions;
}

/** Props of `Mongo`. */
export interface MongoProps {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** The user's options. */
  readonly options: MongoOptions;
  /** Where the database lives, resolved. */
  readonly storage: ResolvedStorage;
}

/** The `mongodb` user of the official image. */
const MONGO_USER = { uid: 999, gid: 999 } as const;

export const MONGO_DEFAULT_RESOURCES: ResolvedResources = resources('200m', '512Mi', '500m', '1Gi');

/**
 * MongoDB with the docker-compose layout (`data/mongo_4/db`, `data/mongo_4/configdb`) and the sort
 * memory parameter ClearML needs for large experiment tables.
 */
export class Mongo extends Construct {
  /** The Service. */
  public readonly endpoint: ServiceEndpoint;
  /** How the servers reach it. */
  public readonly backend: MongoBackend;
  /** Node directories it uses. */
  public readonly directories: readonly NodeDirectory[];

  constructor(scope: Construct, id: string, props: MongoProps) {
    super(scope, id);
    const { ctx } = props;
    const owner = MONGO_USER;
    // configdb holds nothing for a standalone mongod: it stays on the node in the docker-compose layout, else scratch.
    const configStorage: ResolvedStorage = props.storage.type === 'node' ? { ...props.storage, size: '1Gi' } : { type: 'ephemeral', size: '1Gi', accessModes: ['ReadWriteOnce'] };
    const replicas = props.options.replicas ?? 1;
    const rs = replicas > 1 ? replicaSetParts(this, ctx, replicas, MONGO_USER) : undefined;
    const ping = execProbe(['mongosh', '--quiet', '--norc', '--eval', 'quit(db.adminCommand({ ping: 1 }).ok ? 0 : 1)'], { periodSeconds: 20, timeoutSeconds: 10, failureThreshold: 6 });
    const built = createDatastore(this, ctx, {
      component: 'mongo',
      options: props.options,
      version: ctx.versions.mongo,
      image: ctx.images.mongo,
      ports: [{ name: 'mongo', number: 27017 }],
      user: MONGO_USER,
      readOnlyRootFilesystem: true,
      data: [
        { name: 'db', mountPath: '/data/db', storage: props.storage, layout: { component: 'mongo', name: 'mongo-db', subPath: 'data/mongo_4/db', owner } },
        { name: 'configdb', mountPath: '/data/configdb', storage: configStorage, layout: { component: 'mongo', name: 'mongo-configdb', subPath: 'data/mongo_4/configdb', owner } },
      ],
      // mongod keeps its Unix socket in /tmp.
      scratch: { tmp: '/tmp', ...rs?.scratch },
      // The image's HOME is /data/db: every mongosh probe would leave its session log in the database volume.
      env: envVars({ HOME: '/tmp' }),
      args: [...rs?.args ?? [], '--setParameter', 'internalQueryMaxBlockingSortMemoryUsageBytes=196100200'],
      ...(rs ? {
        replicas,
        // Ordered: a standalone on claims becomes member 0 in place (podManagementPolicy cannot change).
        podManagementPolicy: 'OrderedReady',
        scheduling: rs.scheduling,
        initContainers: rs.initContainers,
        sidecars: rs.sidecars,
        extraVolumes: rs.extraVolumes,
      } as const : {}),
      resources: resolveResources('mongo.resources', MONGO_DEFAULT_RESOURCES, props.options.resources),
      terminationGracePeriodSeconds: 60,
      probes: { startup: startupProbe(ping, 600), liveness: ping, readiness: ping },
    });
    this.endpoint = built.endpoint;
    this.directories = built.directories;
    this.backend = rs ? { ...rs.backend, port: built.endpoint.port } : { host: built.endpoint.name, port: built.endpoint.port };
  }
}
