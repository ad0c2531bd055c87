import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { ComponentOptions } from '../core/component-options';
import { envVars } from '../core/container';
import { ClearmlContext } from '../core/context';
import { resources, ResolvedResources } from '../core/resources';
import { ServiceEndpoint, ServiceExposure } from '../core/workload';
import { backendEnv, Backends, withRedisCa } from '../datastores/backends';
import { apiserverAuthEnv, AuthSettings } from '../security/auth';
import { ALL_CREDENTIAL_KEYS, credentialEnv } from '../security/credential-keys';
import { createServer, PYTHON_SERVER_CAPABILITIES, SERVER_PATHS, ServerEndpoints, ServerStorage, serverVolumes, urlPrefixesEnv } from './server-common';

/** Options of the API server. */
export interface ApiserverOptions extends ComponentOptions {
  /** NodePort of the API. @default 30008 @onlyWith exposure.type NodePort */
  readonly nodePort?: number;
  /** Replicas; more than one needs storage other than `node` for logs, config and file data. @default 1 */
  readonly replicas?: number;
}

/** Props of `Apiserver`. */
export interface ApiserverProps {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** The user's options. */
  readonly options: ApiserverOptions;
  /** Service handles of the ClearML servers. */
  readonly endpoints: ServerEndpoints;
  /** How its Service is exposed. */
  readonly service: ServiceExposure;
  /** Data stores. */
  readonly backends: Backends;
  /** Shared storage. */
  readonly storage: ServerStorage;
  /** Mount the file server's data, so pre-populate can copy the examples' artifacts there. */
  readonly mountFileserverData: boolean;
  /** Secret with the `secure.*` settings. */
  readonly credentialsSecret: string;
  /** Cookies and login (the cookie name must equal the fileserver's). */
  readonly auth: AuthSettings;
  /** Fileserver URL prefixes for async deletion. */
  readonly fileserverUrlPrefixes: readonly string[];
  /** More `secure.credentials.*` users to register at start (agents). @default [] */
  readonly extraCredentialsEnv?: readonly k8s.EnvVar[];
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
    this.endpoint = props.endpoints.apiserver;
    createServer(this, props.ctx, {
      component: 'apiserver',
      options: props.options,
      endpoint: this.endpoint,
      service: props.service,
      strategy: 'Recreate',
      env: [
        ...backendEnv(props.backends),
        ...envVars({
          CLEARML_SERVER_DEPLOYMENT_TYPE: 'k8s',
          CLEARML__apiserver__pre_populate__enabled: 'true',
          CLEARML__apiserver__pre_populate__zip_files: '/opt/clearml/db-pre-populate',
          // The examples' artifacts are copied where the fileserver serves them from, when it is reachable.
          ...(props.mountFileserverData ? { CLEARML__apiserver__pre_populate__artifacts_path: SERVER_PATHS.fileserverData } : {}),
          CLEARML__services__async_urls_delete__enabled: 'true',
        }),
        ...apiserverAuthEnv(props.auth),
        urlPrefixesEnv(props.fileserverUrlPrefixes),
        ...credentialEnv(props.credentialsSecret, ALL_CREDENTIAL_KEYS),
        ...(props.extraCredentialsEnv ?? []),
      ],
      healthPath: '/debug.ping',
      // First start and upgrades migrate the database: allow 10 minutes before liveness applies.
      startupSeconds: 600,
      defaultResources: APISERVER_DEFAULT_RESOURCES,
      volumes: withRedisCa(serverVolumes(props.storage, props.mountFileserverData ? ['logs', 'config', 'fileserverData'] : ['logs', 'config']), props.backends.redis),
      capabilities: PYTHON_SERVER_CAPABILITIES,
    });
  }
}
