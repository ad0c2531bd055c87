import { Construct } from 'constructs';
import { envVars } from '../core/container';
import { ClearmlContext } from '../core/context';
import { resolveResources, resources, ResolvedResources, ResourceSpec } from '../core/resources';
import { ServiceEndpoint } from '../core/workload';
import { apiserverAuthEnv, AuthSettings } from '../security/auth';
import { ALL_CREDENTIAL_KEYS, credentialEnv } from '../security/credential-keys';
import { backendEnv, Backends, createServer, PYTHON_SERVER_CAPABILITIES, SERVER_PATHS, ServerEndpoints, ServerStorage, urlPrefixesEnv } from './server-common';

/** Options of the API server. */
export interface ApiserverOptions {
  /** Requests and limits. @default 200m/512Mi requested, 1 CPU/1Gi limit */
  readonly resources?: ResourceSpec;
  /** NodePort of the API. @default 30008 */
  readonly nodePort?: number;
}

/** Props of `Apiserver`. */
export interface ApiserverProps extends ApiserverOptions {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** Service handles of the ClearML servers. */
  readonly endpoints: ServerEndpoints;
  /** Data stores. */
  readonly backends: Backends;
  /** Shared node storage. */
  readonly storage: ServerStorage;
  /** Secret with the `secure.*` settings. */
  readonly credentialsSecret: string;
  /** Cookies and login (the cookie name must equal the fileserver's). */
  readonly auth: AuthSettings;
  /** Fileserver URL prefixes for async deletion. */
  readonly fileserverUrlPrefixes: readonly string[];
}

export const APISERVER_DEFAULT_RESOURCES: ResolvedResources = resources('200m', '512Mi', '1', '1Gi');

/**
 * The ClearML API server. `Recreate`: a new version migrates the database on start, which must not race
 * an old server still writing.
 */
export class Apiserver extends Construct {
  /** The Service. */
  public readonly endpoint: ServiceEndpoint;

  constructor(scope: Construct, id: string, props: ApiserverProps) {
    super(scope, id);
    const { ctx } = props;
    this.endpoint = props.endpoints.apiserver;
    createServer(this, ctx, {
      component: 'apiserver',
      endpoint: this.endpoint,
      strategy: 'Recreate',
      env: [
        ...backendEnv(props.backends),
        ...envVars({
          CLEARML_SERVER_DEPLOYMENT_TYPE: 'k8s',
          CLEARML__apiserver__pre_populate__enabled: 'true',
          CLEARML__apiserver__pre_populate__zip_files: '/opt/clearml/db-pre-populate',
          // The examples' artifacts are copied where the fileserver serves them from.
          CLEARML__apiserver__pre_populate__artifacts_path: SERVER_PATHS.fileserverData,
          CLEARML__services__async_urls_delete__enabled: 'true',
        }),
        ...apiserverAuthEnv(props.auth),
        urlPrefixesEnv(props.fileserverUrlPrefixes),
        ...credentialEnv(props.credentialsSecret, ALL_CREDENTIAL_KEYS),
      ],
      healthPath: '/debug.ping',
      // First start and upgrades migrate the database: allow 10 minutes before liveness applies.
      startupSeconds: 600,
      resources: resolveResources('apiserver.resources', APISERVER_DEFAULT_RESOURCES, props.resources),
      shared: { storage: props.storage, mounts: ['logs', 'config', 'fileserverData'] },
      nodePort: props.nodePort ?? 30008,
      capabilities: PYTHON_SERVER_CAPABILITIES,
    });
  }
}
