import * as k8s from '../../imports/k8s';
import { envVars, secretEnv } from '../core/container';
import { checkDnsSubdomain, checkInt, checkOneOf, checkSecretKey, ClearmlConfigError } from '../core/errors';
import { replicaSetEnv } from './mongo-replica-set';

/** A key of a Secret. */
export interface SecretKeySelector {
  /** Secret name (in the ClearML namespace). */
  readonly name: string;
  /** Key in the Secret. */
  readonly key: string;
}

/** One Elasticsearch host. */
export interface ElasticsearchHost {
  /** Host name. */
  readonly host: string;
  /** Port. @default 9200 */
  readonly port?: number;
  /** `http` or `https`. @default 'http' */
  readonly scheme?: 'http' | 'https';
}

/** An existing Elasticsearch instead of the bundled one. */
export interface ExternalElasticsearchOptions {
  /** Hosts of the cluster. */
  readonly hosts: ElasticsearchHost[];
  /** Secret with the user name and password. @default - no authentication */
  readonly credentialsSecret?: { readonly name: string; readonly usernameKey?: string; readonly passwordKey?: string };
  /** Verify the server's TLS certificate (https hosts). @default true */
  readonly verifyCerts?: boolean;
}

/** An existing MongoDB instead of the bundled one. */
export interface ExternalMongoOptions {
  /** Secret holding the connection string (`mongodb://user:pass@host:27017/?...`, no database name: ClearML picks it). */
  readonly connectionStringSecret: { readonly name: string; readonly key?: string };
}

/** An existing Redis instead of the bundled one (e.g. a managed service). */
export interface ExternalRedisOptions {
  /** Host name. */
  readonly host: string;
  /** Port. @default 6379 */
  readonly port?: number;
  /** Secret with the password (Redis `AUTH`). @default - no password */
  readonly passwordSecret?: { readonly name: string; readonly key?: string };
  /** Connect over TLS, verifying the server's certificate (against `caSecret`, else the image's CA bundle). @default false */
  readonly tls?: boolean;
  /** Secret with the PEM CA certificate that signed the server's certificate (`tls` only). @default - the image's CA bundle */
  readonly caSecret?: { readonly name: string; readonly key?: string };
}

/** How the servers reach Elasticsearch. */
export interface ElasticsearchBackend {
  readonly hosts: ReadonlyArray<Required<ElasticsearchHost>>;
  readonly username?: SecretKeySelector;
  readonly password?: SecretKeySelector;
  readonly verifyCerts: boolean;
}

/** How the servers reach MongoDB: a host, a connection string from a Secret, or the bundled replica set. */
export interface MongoBackend {
  readonly host?: string;
  readonly port?: number;
  readonly connectionString?: SecretKeySelector;
  readonly replicaSet?: {
    readonly name: string;
    /** `host:port` of every member. */
    readonly members: readonly string[];
    readonly user: string;
    readonly password: SecretKeySelector;
  };
}

/** How the servers reach Redis. */
export interface RedisBackend {
  readonly host: string;
  readonly port: number;
  readonly password?: SecretKeySelector;
  /** TLS, with the CA certificate from a Secret or the image's bundle. */
  readonly tls?: { readonly ca?: SecretKeySelector };
}

/** The data stores the servers talk to, bundled or external. */
export interface Backends {
  readonly elasticsearch: ElasticsearchBackend;
  readonly mongo: MongoBackend;
  readonly redis: RedisBackend;
}

/** Elasticsearch clusters the server configures; each gets its hosts with an explicit scheme (the Helm chart's empty scheme only works by accident). */
const ELASTIC_CLUSTERS = ['events', 'workers', 'datasets', 'logs'] as const;
/** The server's own defaults for the client arguments, repeated because an override replaces the whole map. */
const ELASTIC_ARGS = { timeout: 60, max_retries: 3, retry_on_timeout: true };

/** How the apiserver and the async-delete worker reach Elasticsearch, MongoDB and Redis. */
export function backendEnv(b: Backends): k8s.EnvVar[] {
  const es = b.elasticsearch;
  const hosts = JSON.stringify(es.hosts.map((h) => ({ host: h.host, port: h.port, scheme: h.scheme, ...(h.scheme === 'https' ? { use_ssl: true } : {}) })));
  return [
    ...ELASTIC_CLUSTERS.map((c) => ({ name: `CLEARML__HOSTS__ELASTIC__${c.toUpperCase()}__HOSTS`, value: hosts })),
    ...(es.verifyCerts ? [] : ELASTIC_CLUSTERS.map((c) => ({ name: `CLEARML__HOSTS__ELASTIC__${c.toUpperCase()}__ARGS`, value: JSON.stringify({ ...ELASTIC_ARGS, verify_certs: false }) }))),
    ...(es.username ? [secretEnv('CLEARML_ELASTIC_SERVICE_USERNAME', es.username.name, es.username.key)] : []),
    ...(es.password ? [secretEnv('CLEARML_ELASTIC_SERVICE_PASSWORD', es.password.name, es.password.key)] : []),
    ...mongoEnv(b.mongo),
    ...redisEnv(b.redis, ['apiserver', 'workers']),
  ];
}

function mongoEnv(m: MongoBackend): k8s.EnvVar[] {
  if (m.replicaSet) return replicaSetEnv(m.replicaSet);
  if (m.connectionString) return [secretEnv('CLEARML_MONGODB_SERVICE_CONNECTION_STRING', m.connectionString.name, m.connectionString.key)];
  return envVars({ CLEARML_MONGODB_SERVICE_HOST: m.host!, CLEARML_MONGODB_SERVICE_PORT: String(m.port) });
}

const REDIS_CA_DIR = '/etc/clearml/redis-ca';
/** Where a Redis CA certificate from a Secret is mounted (`withRedisCa`). */
export const REDIS_CA_FILE = `${REDIS_CA_DIR}/ca.crt`;

/**
 * Redis address (the apiserver's caches, the fileserver's token cache). The password variable applies to
 * every connection; TLS has no variable, so it is set per connection (`aliases`): those keys go straight
 * to the redis-py client.
 */
export function redisEnv(redis: RedisBackend, aliases: readonly string[]): k8s.EnvVar[] {
  const tls = (alias: string) => {
    const prefix = `CLEARML__HOSTS__REDIS__${alias.toUpperCase()}`;
    return envVars({ [`${prefix}__SSL`]: 'true', ...(redis.tls?.ca ? { [`${prefix}__SSL_CA_CERTS`]: JSON.stringify(REDIS_CA_FILE) } : {}) });
  };
  return [
    ...envVars({ CLEARML_REDIS_SERVICE_HOST: redis.host, CLEARML_REDIS_SERVICE_PORT: String(redis.port) }),
    ...(redis.password ? [secretEnv('CLEARML_REDIS_SERVICE_PASSWORD', redis.password.name, redis.password.key)] : []),
    ...(redis.tls ? aliases.flatMap(tls) : []),
  ];
}

/** A server's volumes plus the Redis CA certificate, when it comes from a Secret. */
export function withRedisCa<T extends { readonly volumes: k8s.Volume[]; readonly mounts: k8s.VolumeMount[] }>(shared: T, redis: RedisBackend): T {
  const ca = redis.tls?.ca;
  if (!ca) return shared;
  return {
    ...shared,
    volumes: [...shared.volumes, { name: 'redis-ca', secret: { secretName: ca.name, items: [{ key: ca.key, path: 'ca.crt' }] } }],
    mounts: [...shared.mounts, { name: 'redis-ca', mountPath: REDIS_CA_DIR, readOnly: true }],
  };
}

function secretKey(option: string, name: string, key: string): SecretKeySelector {
  return { name, key: checkSecretKey(option, key) };
}

/** Validates the external Elasticsearch option. */
export function externalElasticsearch(option: string, o: ExternalElasticsearchOptions): ElasticsearchBackend {
  if (!Array.isArray(o.hosts) || o.hosts.length === 0) {
    throw new ClearmlConfigError(`${option}.hosts`, 'must list at least one host, e.g. [{ host: "es.example.com", port: 9200, scheme: "https" }]');
  }
  const secret = o.credentialsSecret && checkDnsSubdomain(`${option}.credentialsSecret.name`, o.credentialsSecret.name);
  return {
    hosts: o.hosts.map((h, i) => ({
      host: checkDnsSubdomain(`${option}.hosts[${i}].host`, h.host),
      port: checkInt(`${option}.hosts[${i}].port`, h.port ?? 9200, 1, 65535),
      scheme: checkOneOf(`${option}.hosts[${i}].scheme`, h.scheme ?? 'http', ['http', 'https']),
    })),
    username: secret ? secretKey(`${option}.credentialsSecret.usernameKey`, secret, o.credentialsSecret!.usernameKey ?? 'username') : undefined,
    password: secret ? secretKey(`${option}.credentialsSecret.passwordKey`, secret, o.credentialsSecret!.passwordKey ?? 'password') : undefined,
    verifyCerts: o.verifyCerts ?? true,
  };
}

/** Validates the external MongoDB option. */
export function externalMongo(option: string, o: ExternalMongoOptions): MongoBackend {
  const name = checkDnsSubdomain(`${option}.connectionStringSecret.name`, o.connectionStringSecret?.name);
  return { connectionString: secretKey(`${option}.connectionStringSecret.key`, name, o.connectionStringSecret.key ?? 'connectionString') };
}

/** Validates the external Redis option. */
export function externalRedis(option: string, o: ExternalRedisOptions): RedisBackend {
  const fromSecret = (field: 'passwordSecret' | 'caSecret', defaultKey: string) => {
    const ref = o[field];
    return ref && secretKey(`${option}.${field}.key`, checkDnsSubdomain(`${option}.${field}.name`, ref.name), ref.key ?? defaultKey);
  };
  if (o.tls !== undefined && typeof o.tls !== 'boolean') {
    throw new ClearmlConfigError(`${option}.tls`, `${JSON.stringify(o.tls)} must be true or false`);
  }
  if (o.caSecret && !o.tls) {
    throw new ClearmlConfigError(`${option}.caSecret`, `only applies with ${option}.tls: true`);
  }
  const password = fromSecret('passwordSecret', 'password');
  const ca = fromSecret('caSecret', 'ca.crt');
  return {
    host: checkDnsSubdomain(`${option}.host`, o.host),
    port: checkInt(`${option}.port`, o.port ?? 6379, 1, 65535),
    ...(password ? { password } : {}),
    ...(o.tls ? { tls: ca ? { ca } : {} } : {}),
  };
}
