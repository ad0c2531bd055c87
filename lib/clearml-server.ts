import { Construct } from 'constructs';
import * as k8s from '../imports/k8s';
import { AgentServices, AgentServicesOptions } from './components/agent-services';
import { Apiserver, ApiserverOptions } from './components/apiserver';
import { AsyncDelete, AsyncDeleteOptions } from './components/async-delete';
import { Fileserver, FileserverOptions } from './components/fileserver';
import { Backends, ServerEndpoints, serverEndpoints, ServerStorage } from './components/server-common';
import { Webserver, WebserverOptions } from './components/webserver';
import { ClearmlContext, NodeLabel } from './core/context';
import { checkAbsolutePath, checkDnsLabel, checkDnsSubdomain, checkLabel, checkNodePort, checkOneOf, checkPinnedImage, checkQuantity, checkSysctlInt, ClearmlConfigError } from './core/errors';
import { APP_NAME, LABEL } from './core/labels';
import { Elasticsearch, ElasticsearchOptions } from './datastores/elasticsearch';
import { Mongo, MongoOptions } from './datastores/mongo';
import { Redis, RedisOptions } from './datastores/redis';
import { HostPreparation } from './host/host-preparation';
import { AuthSettings, FixedUsersOptions } from './security/auth';
import { CREDENTIALS } from './security/credential-keys';
import { Credentials, CredentialsOptions } from './security/credentials';
import { NetworkIsolation, NetworkPolicyOptions } from './security/network-policies';
import { NodeVolume } from './storage/node-volume';
import { DEFAULT_VERSIONS, IMAGE_REPOSITORIES, ImageRole, VersionSet } from './versions';

/** Options of the host-preparation DaemonSet. */
export interface HostPreparationOptions {
  /**
   * Run the privileged DaemonSet that sets `vm.max_map_count` and creates the data directories on
   * every ClearML node. Turn it off when nodes are prepared otherwise (the README lists the steps).
   * @default true
   */
  readonly enabled?: boolean;
  /** Lowest `vm.max_map_count` for Elasticsearch; a higher node value is never lowered. @default 262144 */
  readonly maxMapCount?: number;
}

/** Image pull policies. */
export type ImagePullPolicy = 'IfNotPresent' | 'Always' | 'Never';

/** Props of `ClearmlServer`. */
export interface ClearmlServerProps {
  /** Installation name: prefix of every object name and value of `app.kubernetes.io/instance`. @default 'clearml' */
  readonly name?: string;
  /** Namespace of the ClearML workloads; it is created and enforces Pod Security `baseline`. @default 'clearml' */
  readonly namespace?: string;
  /** Namespace of the privileged host-level workloads (host preparation, agent-services). @default '<namespace>-privileged' */
  readonly privilegedNamespace?: string;
  /** Pinned versions; a partial set overrides only what it names. @default DEFAULT_VERSIONS (server 2.3.0, ES 8.17.0, Mongo 7.0.22, Redis 7.4.1) */
  readonly versions?: Partial<VersionSet>;
  /** Full image references, e.g. from a mirror; each must be pinned. @default - `<official repository>:<version>` */
  readonly images?: Partial<Record<ImageRole, string>>;
  /** Pull policy of every container. @default 'IfNotPresent' */
  readonly imagePullPolicy?: ImagePullPolicy;
  /** Label of the nodes ClearML runs on (and where its node storage is). @default { key: 'app', value: 'clearml' } */
  readonly nodeLabel?: NodeLabel;
  /** Root of the node storage, laid out like the official docker-compose. @default '/opt/clearml' */
  readonly nodeStorageRoot?: string;
  /** Host preparation. @default - enabled, vm.max_map_count 262144 */
  readonly hostPreparation?: HostPreparationOptions;
  /**
   * Domain whose `app.`, `api.` and `files.` records point at the node ports (through a load
   * balancer), e.g. `clearml.example.com`. Used for the public URLs and the async-delete URL prefixes.
   * @default - none: clients use the node address and the NodePorts
   */
  readonly domain?: string;
  /** More URLs clients upload to the file server with (e.g. `http://10.0.0.5:30081`), for async deletion. @default [] */
  readonly extraFileserverUrls?: readonly string[];
  /** Auth cookie name, set on both the apiserver and the fileserver. @default 'clearml_token_basic' */
  readonly cookieName?: string;
  /**
   * Clients reach `app.`, `api.` and `files.<domain>` over HTTPS (TLS ends at your load balancer): the
   * public URLs are https, and auth cookies are Secure and scoped to `.<domain>` so that one login
   * serves all three hosts. Requires `domain`.
   * @default false
   */
  readonly https?: boolean;
  /** Web login with fixed users from a Secret. @default - none: anyone who reaches the server can use it (synth warns) */
  readonly fixedUsers?: FixedUsersOptions;
  /** Credentials (`secure.*` settings). @default - generated once in the cluster */
  readonly credentials?: CredentialsOptions;
  /** API server. @default - see ApiserverOptions */
  readonly apiserver?: ApiserverOptions;
  /** Web server. @default - see WebserverOptions */
  readonly webserver?: WebserverOptions;
  /** File server. @default - see FileserverOptions */
  readonly fileserver?: FileserverOptions;
  /** Async-delete worker. @default - see AsyncDeleteOptions */
  readonly asyncDelete?: AsyncDeleteOptions;
  /** Elasticsearch. @default - see ElasticsearchOptions */
  readonly elasticsearch?: ElasticsearchOptions;
  /** MongoDB. @default - see MongoOptions */
  readonly mongo?: MongoOptions;
  /** Redis. @default - see RedisOptions */
  readonly redis?: RedisOptions;
  /** Optional services agent. @default - disabled */
  readonly agentServices?: AgentServicesOptions;
  /** NetworkPolicies that isolate the data stores. @default - enabled */
  readonly networkPolicies?: NetworkPolicyOptions;
}

/** Public addresses, when a domain is given. */
export interface PublicUrls {
  /** Web app, `http(s)://app.<domain>`. */
  readonly web: string;
  /** API, `http(s)://api.<domain>`. */
  readonly api: string;
  /** File server, `http(s)://files.<domain>`. */
  readonly files: string;
}

const DEFAULT_NODE_LABEL: NodeLabel = { key: 'app', value: 'clearml' };
const DEFAULT_MAX_MAP_COUNT = 262144;
const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** A complete ClearML Server: namespace, servers, data stores, credentials and host preparation. */
export class ClearmlServer extends Construct {
  /** Namespace of the ClearML workloads. */
  public readonly namespace: string;
  /** Handles of the apiserver, fileserver and webserver Services. */
  public readonly endpoints: ServerEndpoints;
  /** Handles of the data stores. */
  public readonly backends: Backends;
  /** Secret holding the `secure.*` settings. */
  public readonly credentialsSecretName: string;
  /** Public URLs, when `domain` is set. */
  public readonly publicUrls?: PublicUrls;
  /** Every node directory the installation uses. */
  public readonly nodeDirectories: readonly string[];

  constructor(scope: Construct, id: string, props: ClearmlServerProps = {}) {
    super(scope, id);
    const ctx = resolveContext(props);
    const hostPrepEnabled = props.hostPreparation?.enabled ?? true;
    const agentEnabled = props.agentServices?.enabled ?? false;
    const maxMapCount = checkSysctlInt('hostPreparation.maxMapCount', props.hostPreparation?.maxMapCount ?? DEFAULT_MAX_MAP_COUNT);
    const cookieName = props.cookieName ?? 'clearml_token_basic';
    if (!COOKIE_NAME.test(cookieName)) {
      throw new ClearmlConfigError('cookieName', `"${cookieName}" must be a cookie name (letters, digits and !#$%&'*+.^_\`|~-)`);
    }
    checkNodePorts(props);
    const domain = props.domain === undefined ? undefined : checkDnsSubdomain('domain', props.domain);
    const extraUrls = (props.extraFileserverUrls ?? []).map((u, i) => checkUrl(`extraFileserverUrls[${i}]`, u));
    for (const [key, size] of Object.entries({ 'elasticsearch.storageSize': props.elasticsearch?.storageSize, 'mongo.storageSize': props.mongo?.storageSize, 'redis.storageSize': props.redis?.storageSize, 'fileserver.storageSize': props.fileserver?.storageSize })) {
      if (size !== undefined) checkQuantity(key, size);
    }

    this.namespace = ctx.namespace;
    this.endpoints = serverEndpoints(ctx);
    const https = props.https ?? false;
    if (https && !domain) {
      throw new ClearmlConfigError('https', 'requires domain: secure cookies are scoped to it');
    }
    const scheme = https ? 'https' : 'http';
    this.publicUrls = domain ? { web: `${scheme}://app.${domain}`, api: `${scheme}://api.${domain}`, files: `${scheme}://files.${domain}` } : undefined;
    const auth: AuthSettings = {
      cookieName,
      secureCookies: https,
      cookieDomain: https ? `.${domain}` : undefined,
      fixedUsers: props.fixedUsers && checkSecretKey('fixedUsers.secretKey', props.fixedUsers.secretKey) && {
        ...props.fixedUsers,
        secretName: checkDnsSubdomain('fixedUsers.secretName', props.fixedUsers.secretName),
      },
    };
    if (!auth.fixedUsers) {
      console.warn(`cdk8s-clearml: ClearML Server "${ctx.instance}" in namespace "${ctx.namespace}" allows unrestricted access: `
        + 'anyone who reaches it can use it. Set fixedUsers to require a login.');
    }

    createNamespace(this, 'Namespace', ctx, ctx.namespace, 'baseline');
    if (hostPrepEnabled || agentEnabled) {
      createNamespace(this, 'PrivilegedNamespace', ctx, ctx.privilegedNamespace, 'privileged');
    }

    const credentials = new Credentials(this, 'Credentials', {
      ctx,
      existingSecret: props.credentials?.existingSecret === undefined ? undefined : checkDnsSubdomain('credentials.existingSecret', props.credentials.existingSecret),
      mirrors: agentEnabled ? [{ namespace: ctx.privilegedNamespace, keys: CREDENTIALS.servicesAgent }] : [],
    });
    this.credentialsSecretName = credentials.secretName;

    const elasticsearch = new Elasticsearch(this, 'Elasticsearch', { ctx, maxMapCount, ...props.elasticsearch });
    const mongo = new Mongo(this, 'Mongo', { ctx, ...props.mongo });
    const redis = new Redis(this, 'Redis', { ctx, ...props.redis });
    this.backends = { elasticsearch: elasticsearch.endpoint, mongo: mongo.endpoint, redis: redis.endpoint };

    const storage: ServerStorage = {
      logs: new NodeVolume(this, 'Logs', { ctx, component: 'apiserver', name: 'logs', subPath: 'logs', size: '5Gi' }),
      config: new NodeVolume(this, 'Config', { ctx, component: 'apiserver', name: 'config', subPath: 'config', size: '100Mi' }),
      fileserverData: new NodeVolume(this, 'FileserverData', { ctx, component: 'fileserver', name: 'fileserver-data', subPath: 'data/fileserver', size: props.fileserver?.storageSize ?? '100Gi' }),
    };
    const fileserverUrlPrefixes = [
      this.endpoints.fileserver.url,
      this.endpoints.fileserver.clusterUrl,
      ...(domain ? [`http://files.${domain}`, `https://files.${domain}`] : []),
      ...extraUrls,
    ];
    const common = { ctx, endpoints: this.endpoints, credentialsSecret: credentials.secretName };

    new Apiserver(this, 'Apiserver', { ...common, ...props.apiserver, backends: this.backends, storage, auth, fileserverUrlPrefixes });
    new Fileserver(this, 'Fileserver', { ...common, ...props.fileserver, redis: redis.endpoint, storage, cookieName });
    new Webserver(this, 'Webserver', { ...common, ...props.webserver });
    new AsyncDelete(this, 'AsyncDelete', { ...common, ...props.asyncDelete, backends: this.backends, storage, fileserverUrlPrefixes });
    if (agentEnabled) {
      new AgentServices(this, 'AgentServices', { ...common, ...props.agentServices });
    }
    if (props.networkPolicies?.enabled ?? true) {
      const { apiserver, fileserver, webserver } = this.endpoints;
      const serverSide = ['apiserver', 'async-delete'];
      new NetworkIsolation(this, 'NetworkPolicies', {
        ctx,
        rules: [
          { component: 'apiserver', port: apiserver.port, from: 'anyone' },
          { component: 'fileserver', port: fileserver.port, from: 'anyone' },
          { component: 'webserver', port: webserver.port, from: 'anyone' },
          { component: 'elasticsearch', port: this.backends.elasticsearch.port, from: serverSide },
          { component: 'mongo', port: this.backends.mongo.port, from: serverSide },
          { component: 'redis', port: this.backends.redis.port, from: [...serverSide, 'fileserver'] },
        ],
      });
    }

    const directories = [elasticsearch.volume, mongo.dbVolume, mongo.configDbVolume, redis.volume, storage.logs, storage.config, storage.fileserverData]
      .map((v) => v.directory);
    this.nodeDirectories = directories.map((d) => d.path);
    if (hostPrepEnabled) {
      new HostPreparation(this, 'HostPreparation', { ctx, directories, maxMapCount });
    }
  }
}

/** Validates the installation-wide options once and resolves their defaults. */
function resolveContext(props: ClearmlServerProps): ClearmlContext {
  const instance = checkDnsLabel('name', props.name ?? 'clearml', 30);
  const namespace = checkDnsLabel('namespace', props.namespace ?? 'clearml', 52);
  const privilegedNamespace = checkDnsLabel('privilegedNamespace', props.privilegedNamespace ?? `${namespace}-privileged`);
  if (privilegedNamespace === namespace) {
    throw new ClearmlConfigError('privilegedNamespace', `must differ from namespace "${namespace}": the ClearML namespace enforces Pod Security baseline`);
  }
  const versions: VersionSet = { ...DEFAULT_VERSIONS, ...props.versions };
  const images = Object.fromEntries((Object.keys(IMAGE_REPOSITORIES) as ImageRole[]).map((role) => {
    const version = versions[role];
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(version) || version === 'latest') {
      throw new ClearmlConfigError(`versions.${role}`, `"${version}" must be a pinned version tag (e.g. "${DEFAULT_VERSIONS[role]}"), not "latest"`);
    }
    const image = props.images?.[role] ?? `${IMAGE_REPOSITORIES[role]}:${version}`;
    return [role, checkPinnedImage(`images.${role}`, image)];
  })) as Record<ImageRole, string>;
  const nodeLabel = props.nodeLabel ?? DEFAULT_NODE_LABEL;
  checkLabel('nodeLabel', nodeLabel.key, nodeLabel.value);
  if (nodeLabel.value === '') {
    throw new ClearmlConfigError('nodeLabel.value', 'must not be empty: it selects the ClearML nodes');
  }
  return {
    instance,
    namespace,
    privilegedNamespace,
    versions,
    images,
    imagePullPolicy: checkOneOf('imagePullPolicy', props.imagePullPolicy ?? 'IfNotPresent', ['IfNotPresent', 'Always', 'Never']),
    nodeLabel,
    nodeStorageRoot: checkAbsolutePath('nodeStorageRoot', props.nodeStorageRoot ?? '/opt/clearml'),
  };
}

/** NodePorts must be in range and distinct: the API server rejects a collision only at apply time. */
function checkNodePorts(props: ClearmlServerProps): void {
  const ports = {
    'apiserver.nodePort': props.apiserver?.nodePort ?? 30008,
    'webserver.nodePort': props.webserver?.nodePort ?? 30080,
    'fileserver.nodePort': props.fileserver?.nodePort ?? 30081,
  };
  const seen = new Map<number, string>();
  for (const [option, port] of Object.entries(ports)) {
    checkNodePort(option, port);
    const other = seen.get(port);
    if (other) {
      throw new ClearmlConfigError(option, `${port} is already used by ${other}; each NodePort must be unique`);
    }
    seen.set(port, option);
  }
}

/** A Secret data key, as the API server validates it (true when absent). */
function checkSecretKey(option: string, key: string | undefined): true {
  if (key !== undefined && !/^[-._a-zA-Z0-9]{1,253}$/.test(key)) {
    throw new ClearmlConfigError(option, `"${key}" must be a Secret key (letters, digits, "-", "_" and ".")`);
  }
  return true;
}

function checkUrl(option: string, value: string): string {
  if (!/^https?:\/\/[^\s/"]+(\/[^\s"]*)?$/.test(value)) {
    throw new ClearmlConfigError(option, `"${value}" must be an http:// or https:// URL`);
  }
  return value;
}

/** A namespace with Pod Security Admission labels. */
function createNamespace(scope: Construct, id: string, ctx: ClearmlContext, name: string, podSecurity: 'baseline' | 'privileged'): void {
  new k8s.KubeNamespace(scope, id, {
    metadata: {
      name,
      labels: {
        [LABEL.name]: APP_NAME,
        [LABEL.instance]: ctx.instance,
        [LABEL.partOf]: APP_NAME,
        [LABEL.managedBy]: 'cdk8s',
        'pod-security.kubernetes.io/enforce': podSecurity,
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/warn': podSecurity,
        'pod-security.kubernetes.io/audit': podSecurity,
      },
    },
  });
}
