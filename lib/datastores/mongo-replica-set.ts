import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { container, nonRootSecurityContext, secretEnv } from '../core/container';
import { ClearmlContext, identity, objectName } from '../core/context';
import { checkInt, ClearmlConfigError } from '../core/errors';
import { componentLabels } from '../core/labels';
import { resources } from '../core/resources';
import { headlessServiceName } from '../core/workload';
import { createSecretBootstrap } from '../security/secret-bootstrap';
import { ResolvedStorage } from '../storage/storage-options';
import { MongoBackend } from './backends';
import { onePodPerNode } from './datastore';

/** Name of the replica set (`--replSet`), as the official chart and MongoDB's docs use it. */
export const REPLICA_SET_NAME = 'rs0';
/** The administrative user created on the first member; ClearML connects as it. */
export const MONGO_ROOT_USER = 'root';
/** Keys of the generated `<name>-mongo-auth` Secret. */
export const MONGO_AUTH_KEYS = { keyfile: 'keyfile', rootPassword: 'root_password' } as const;
/** Largest replica set the library builds: MongoDB has at most 7 voting members. */
const MAX_MEMBERS = 7;
const MONGO_PORT = 27017;
const KEYFILE_DIR = '/etc/mongo-keyfile';
const KEYFILE_SECRET_DIR = '/etc/mongo-keyfile-secret';
/** The environment variable (in the servers) the connection string takes the password from. */
export const REPLICA_SET_PASSWORD_ENV = 'MONGO_ROOT_PASSWORD';

/**
 * Validates `mongo.replicas`: 1, or an odd number of members (no arbiters: every member holds the
 * data), each on a claim of its own.
 */
export function checkMongoReplicas(replicas: number, storage: ResolvedStorage | undefined): number {
  checkInt('mongo.replicas', replicas, 1, MAX_MEMBERS);
  if (replicas % 2 === 0) {
    throw new ClearmlConfigError('mongo.replicas', `${replicas} members cannot elect a primary after losing half of them, and arbiters are not supported: use 1, 3, 5 or 7`);
  }
  if (replicas > 1 && storage && storage.type !== 'claim') {
    throw new ClearmlConfigError('mongo.replicas', `${replicas} members need storage type "claim" (one claim per member), not "${storage.type}"`);
  }
  return replicas;
}

/** `host:port` of each member, by its stable DNS name under the headless Service. */
export function replicaSetMembers(ctx: ClearmlContext, replicas: number): string[] {
  const sts = objectName(ctx, 'mongo');
  const headless = headlessServiceName(ctx, 'mongo');
  return Array.from({ length: replicas }, (_, i) => `${sts}-${i}.${headless}.${ctx.namespace}.svc:${MONGO_PORT}`);
}

/** What a replica set adds to the MongoDB pods. */
export interface ReplicaSetParts {
  readonly args: string[];
  readonly initContainers: k8s.Container[];
  readonly sidecars: k8s.Container[];
  readonly extraVolumes: k8s.Volume[];
  readonly scratch: Record<string, string>;
  readonly scheduling: ReturnType<typeof onePodPerNode>;
  readonly backend: MongoBackend;
}

/**
 * A replica set of the official image: the members share a key file (internal authentication, which
 * also turns access control on), member 0 initiates the set and creates the `root` user through the
 * localhost exception, and the servers connect with the replica-set connection string. The key file
 * and the root password are generated once in the cluster (never in YAML) by a bootstrap Job.
 */
export function replicaSetParts(scope: Construct, ctx: ClearmlContext, replicas: number, user: { readonly uid: number; readonly gid: number }): ReplicaSetParts {
  const secretName = objectName(ctx, 'mongo-auth');
  createSecretBootstrap(new Construct(scope, 'AuthBootstrap'), ctx, {
    component: 'mongo-auth-bootstrap',
    // 30 characters of A-Z0-9 (about 155 bits): a valid key file (base64 alphabet) and a password that needs no URL encoding.
    grants: [{ namespace: ctx.namespace, secretNames: [secretName] }],
    spec: {
      secret: { namespace: ctx.namespace, name: secretName, labels: componentLabels(identity(ctx, 'mongo')), keys: { [MONGO_AUTH_KEYS.keyfile]: 'key', [MONGO_AUTH_KEYS.rootPassword]: 'key' } },
      mirrors: [],
    },
  });
  const members = replicaSetMembers(ctx, replicas);
  const security = nonRootSecurityContext(user.uid, user.gid, true);
  // mongod refuses a key file with group or world bits; Secret volumes with fsGroup are 0440, so copy it.
  const keyfile = container(ctx, {
    name: 'keyfile',
    image: ctx.images.mongo,
    command: ['sh', '-c', `rm -f ${KEYFILE_DIR}/keyfile && cp ${KEYFILE_SECRET_DIR}/keyfile ${KEYFILE_DIR}/keyfile && chmod 400 ${KEYFILE_DIR}/keyfile`],
    resources: resources('10m', '16Mi', '100m', '64Mi'),
    volumeMounts: [{ name: 'keyfile-secret', mountPath: KEYFILE_SECRET_DIR, readOnly: true }, { name: 'keyfile', mountPath: KEYFILE_DIR }],
    securityContext: security,
  });
  const initiator = container(ctx, {
    name: 'replica-set',
    image: ctx.images.mongo,
    command: ['sh', '-c', REPLICA_SET_SCRIPT],
    env: [
      { name: 'HOME', value: '/tmp' },
      { name: 'RS_CONFIG', value: JSON.stringify({ _id: REPLICA_SET_NAME, members: members.map((host, i) => ({ _id: i, host })) }) },
      secretEnv(REPLICA_SET_PASSWORD_ENV, secretName, MONGO_AUTH_KEYS.rootPassword),
    ],
    resources: resources('10m', '64Mi', '200m', '256Mi'),
    volumeMounts: [{ name: 'replica-set-tmp', mountPath: '/tmp' }],
    securityContext: security,
  });
  return {
    args: ['--replSet', REPLICA_SET_NAME, '--keyFile', `${KEYFILE_DIR}/keyfile`],
    initContainers: [keyfile],
    sidecars: [initiator],
    extraVolumes: [
      { name: 'keyfile-secret', secret: { secretName, items: [{ key: MONGO_AUTH_KEYS.keyfile, path: 'keyfile' }], defaultMode: 0o440 } },
      { name: 'replica-set-tmp', emptyDir: {} },
    ],
    scratch: { keyfile: KEYFILE_DIR },
    scheduling: onePodPerNode(ctx, 'mongo'),
    backend: { replicaSet: { name: REPLICA_SET_NAME, members, user: MONGO_ROOT_USER, password: { name: secretName, key: MONGO_AUTH_KEYS.rootPassword } } },
  };
}

/**
 * A connection string to the set in `variable` (the servers' by default): every member, the set name, and
 * the password from the Secret (expanded by the kubelet, so it never appears in the manifests).
 */
export function replicaSetEnv(rs: NonNullable<MongoBackend['replicaSet']>, variable = 'CLEARML_MONGODB_SERVICE_CONNECTION_STRING'): k8s.EnvVar[] {
  return [
    secretEnv(REPLICA_SET_PASSWORD_ENV, rs.password.name, rs.password.key),
    // No database path: ClearML picks its `backend` and `auth` databases itself.
    { name: variable, value: `mongodb://${rs.user}:$(${REPLICA_SET_PASSWORD_ENV})@${rs.members.join(',')}/?replicaSet=${rs.name}&authSource=admin` },
  ];
}

// mongosh snippets; each prints one word the script acts on (double quotes only: they sit in single-quoted shell strings).
const JS = {
  ping: 'print(db.adminCommand({ ping: 1 }).ok)',
  canAuth: `try { db.getSiblingDB("admin").auth("${MONGO_ROOT_USER}", process.env.${REPLICA_SET_PASSWORD_ENV}); print("yes") } catch (e) { print("no") }`,
  auth: `db.getSiblingDB("admin").auth("${MONGO_ROOT_USER}", process.env.${REPLICA_SET_PASSWORD_ENV});`,
  status: 'try { const s = db.adminCommand({ replSetGetStatus: 1 }); print(s.ok === 1 ? "initiated" : "code:" + s.code) } catch (e) { print("code:" + e.code) }',
  initiate: 'try { const r = db.adminCommand({ replSetInitiate: JSON.parse(process.env.RS_CONFIG) }); print(r.ok === 1 ? "ok" : "code:" + r.code) } catch (e) { print("code:" + e.code) }',
  primary: 'print(db.hello().isWritablePrimary)',
  missing: 'const want = JSON.parse(process.env.RS_CONFIG).members.map((m) => m.host); const have = rs.conf().members.map((m) => m.host); const missing = want.filter((h) => !have.includes(h)); print(missing.length ? "missing:" + missing.join(",") : "none")',
  add: 'try { const r = rs.add(process.env.RS_ADD); print(r.ok === 1 ? "ok" : "code:" + r.code) } catch (e) { print("code:" + e.code) }',
  createRoot: `try { db.getSiblingDB("admin").createUser({ user: "${MONGO_ROOT_USER}", pwd: process.env.${REPLICA_SET_PASSWORD_ENV}, roles: [{ role: "root", db: "admin" }] }); print("created") } catch (e) { print("code:" + e.code) }`,
};

/**
 * Runs beside every member; acts only on member 0 (`<name>-0`), then idles. Idempotent: with the root
 * user in place it authenticates; it initiates only a set whose status is NotYetInitialized (94), or,
 * without a user yet (a fresh set, or a standalone's data being converted), through the localhost
 * exception, which also creates the root user once the member is primary. Members the configuration
 * names but the set lacks (a scale-up) are added through the primary. Re-runs change nothing.
 */
export const REPLICA_SET_SCRIPT = [
  'set -u',
  `LOCAL='mongodb://127.0.0.1:${MONGO_PORT}/?directConnection=true'`,
  'log() { echo "mongo replica set: $*"; }',
  'q() { mongosh "$LOCAL" --quiet --norc --eval "$1" 2>/dev/null | tail -n 1; }',
  // Through the set: reconfigurations go to whichever member is primary.
  `qset() { mongosh 'mongodb://127.0.0.1:${MONGO_PORT}/?replicaSet=${REPLICA_SET_NAME}' --quiet --norc --eval "$1" 2>/dev/null | tail -n 1; }`,
  // PID 1 ignores SIGTERM without a handler: trap it, or every member would wait out its grace period.
  "idle() { trap 'exit 0' TERM INT; sleep infinity & wait $!; exit 0; }",
  `until [ "$(q '${JS.ping}')" = 1 ]; do log "waiting for the local mongod"; sleep 2; done`,
  'member="${HOSTNAME##*-}"',
  'if [ "$member" != 0 ]; then log "member $member: member 0 initiates the set and creates the root user"; idle; fi',
  "AUTH=''",
  `if [ "$(q '${JS.canAuth}')" = yes ]; then AUTH='${JS.auth}'; else log "no ${MONGO_ROOT_USER} user yet: using the localhost exception"; fi`,
  'while :; do',
  `  state="$(q "$AUTH"'${JS.status}')"`,
  '  case "$state" in',
  '    initiated) log "already initiated"; break ;;',
  '    code:94|code:13)',
  `      result="$(q "$AUTH"'${JS.initiate}')"`,
  '      case "$result" in',
  '        ok) log "initiated with $RS_CONFIG"; break ;;',
  '        code:23) log "already initiated"; break ;;',
  `        code:13) log "not authorized: the data has users, and ${MONGO_ROOT_USER} with the password of the Secret is not one of them"; exit 1 ;;`,
  '      esac',
  '      log "cannot initiate yet ($result): waiting for every member to answer"; sleep 5 ;;',
  '    *) log "unexpected status ($state): retrying"; sleep 5 ;;',
  '  esac',
  'done',
  'if [ -z "$AUTH" ]; then',
  `  until [ "$(q '${JS.primary}')" = true ]; do log "waiting to become primary"; sleep 2; done`,
  `  result="$(q '${JS.createRoot}')"`,
  '  case "$result" in',
  `    created) log "created user ${MONGO_ROOT_USER}" ;;`,
  `    *) log "cannot create user ${MONGO_ROOT_USER} ($result)"; exit 1 ;;`,
  '  esac',
  `  AUTH='${JS.auth}'`,
  'fi',
  // More replicas than members (a scale-up): add the new ones; removing members stays a manual step.
  `missing="$(qset "$AUTH"'${JS.missing}')"`,
  'case "$missing" in',
  '  none) ;;',
  '  missing:*)',
  '    for host in $(echo "${missing#missing:}" | tr , " "); do',
  `      until [ "$(RS_ADD="$host" qset "$AUTH"'${JS.add}')" = ok ]; do log "cannot add $host yet: retrying"; sleep 5; done`,
  '      log "added $host"',
  '    done ;;',
  '  *) log "cannot compare the members with the configuration ($missing)" ;;',
  'esac',
  'log "ready"',
  'idle',
  '',
].join('\n');
