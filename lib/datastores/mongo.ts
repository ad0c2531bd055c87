import { Construct } from 'constructs';
import { ClearmlContext } from '../core/context';
import { execProbe, startupProbe } from '../core/probes';
import { resolveResources, resources, ResourceSpec, ResolvedResources } from '../core/resources';
import { ServiceEndpoint } from '../core/workload';
import { NodeVolume } from '../storage/node-volume';
import { createDatastore } from './datastore';

/** Options of the bundled MongoDB. */
export interface MongoOptions {
  /** Requests and limits. @default 200m/512Mi requested, 500m/1Gi limit */
  readonly resources?: ResourceSpec;
  /** Capacity recorded on the database volume. @default '50Gi' */
  readonly storageSize?: string;
}

/** Props of `Mongo`. */
export interface MongoProps extends MongoOptions {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
}

/** The `mongodb` user of the official image. */
const MONGO_USER = { uid: 999, gid: 999 } as const;

export const MONGO_DEFAULT_RESOURCES: ResolvedResources = resources('200m', '512Mi', '500m', '1Gi');

/**
 * MongoDB with the docker-compose layout (`data/mongo_4/db`, `data/mongo_4/configdb`) and the sort
 * memory parameter ClearML needs for large experiment tables.
 */
export class Mongo extends Construct {
  /** The Service: host, port. */
  public readonly endpoint: ServiceEndpoint;
  /** Database files on the node. */
  public readonly dbVolume: NodeVolume;
  /** Config-server files on the node (kept for parity with the docker-compose layout). */
  public readonly configDbVolume: NodeVolume;

  constructor(scope: Construct, id: string, props: MongoProps) {
    super(scope, id);
    const { ctx } = props;
    const owner = MONGO_USER;
    this.dbVolume = new NodeVolume(this, 'Db', { ctx, component: 'mongo', name: 'mongo-db', subPath: 'data/mongo_4/db', size: props.storageSize ?? '50Gi', owner });
    this.configDbVolume = new NodeVolume(this, 'ConfigDb', { ctx, component: 'mongo', name: 'mongo-configdb', subPath: 'data/mongo_4/configdb', size: '1Gi', owner });
    const ping = execProbe(['mongosh', '--quiet', '--norc', '--eval', 'quit(db.adminCommand({ ping: 1 }).ok ? 0 : 1)'], { periodSeconds: 20, timeoutSeconds: 10, failureThreshold: 6 });
    this.endpoint = createDatastore(this, ctx, {
      component: 'mongo',
      version: ctx.versions.mongo,
      image: ctx.images.mongo,
      port: { name: 'mongo', number: 27017 },
      user: MONGO_USER,
      readOnlyRootFilesystem: true,
      data: [
        { name: 'db', volume: this.dbVolume, mountPath: '/data/db' },
        { name: 'configdb', volume: this.configDbVolume, mountPath: '/data/configdb' },
      ],
      // mongod keeps its Unix socket in /tmp.
      scratch: { tmp: '/tmp' },
      args: ['--setParameter', 'internalQueryMaxBlockingSortMemoryUsageBytes=196100200'],
      resources: resolveResources('mongo.resources', MONGO_DEFAULT_RESOURCES, props.resources),
      terminationGracePeriodSeconds: 60,
      probes: { startup: startupProbe(ping, 600), liveness: ping, readiness: ping },
    });
  }
}
