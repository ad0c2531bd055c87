import { Construct } from 'constructs';
import { ComponentOptions } from '../core/component-options';
import { envVars } from '../core/container';
import { ClearmlContext } from '../core/context';
import { waitForHttp } from '../core/wait';
import { resources, ResolvedResources } from '../core/resources';
import { ServiceEndpoint, ServiceExposure } from '../core/workload';
import { RedisBackend, redisEnv, withRedisCa } from '../datastores/backends';
import { CREDENTIALS, credentialEnv } from '../security/credential-keys';
import { StorageOptions } from '../storage/storage-options';
import { createServer, PYTHON_SERVER_CAPABILITIES, rolloutFor, ServerEndpoints, ServerStorage, serverVolumes } from './server-common';

/** Options of the file server. */
export interface FileserverOptions extends ComponentOptions {
  /** NodePort of the file server. @default 30081 @onlyWith exposure.type NodePort */
  readonly nodePort?: number;
  /** Replicas; more than one needs `ReadWriteMany` storage. @default 1 */
  readonly replicas?: number;
  /** Where uploaded files live. @default - node storage `data/fileserver`, 100Gi */
  readonly storage?: StorageOptions;
}

/** Props of `Fileserver`. */
export interface FileserverProps {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** The user's options. */
  readonly options: FileserverOptions;
  /** Service handles of the ClearML servers. */
  readonly endpoints: ServerEndpoints;
  /** How its Service is exposed. */
  readonly service: ServiceExposure;
  /** Redis, the token cache. */
  readonly redis: RedisBackend;
  /** Shared storage. */
  readonly storage: ServerStorage;
  /** Secret with the `secure.*` settings. */
  readonly credentialsSecret: string;
  /** Name of the auth cookie (must equal the apiserver's). */
  readonly cookieName: string;
}

export const FILESERVER_DEFAULT_RESOURCES: ResolvedResources = resources('100m', '128Mi', '300m', '512Mi');

/**
 * The ClearML file server. It validates tokens with the apiserver using the fileserver credentials,
 * which therefore come from the same Secret on both sides, and accepts the apiserver's cookie name.
 */
export class Fileserver extends Construct {
  /** The Service. */
  public readonly endpoint: ServiceEndpoint;

  constructor(scope: Construct, id: string, props: FileserverProps) {
    super(scope, id);
    this.endpoint = props.endpoints.fileserver;
    const mounted = ['logs', 'config', 'fileserverData'] as const;
    createServer(this, props.ctx, {
      component: 'fileserver',
      options: props.options,
      endpoint: this.endpoint,
      service: props.service,
      strategy: rolloutFor(props.storage, mounted),
      env: [
        ...envVars({
          CLEARML__HOSTS__API_SERVER: props.endpoints.apiserver.url,
          CLEARML__FILESERVER__AUTH__COOKIE_NAMES: JSON.stringify([props.cookieName]),
          CLEARML__fileserver__delete__allow_batch: 'true',
        }),
        ...redisEnv(props.redis, ['fileserver']),
        ...credentialEnv(props.credentialsSecret, CREDENTIALS.fileserver),
      ],
      healthPath: '/',
      startupSeconds: 300,
      // It logs in to the apiserver when it loads and exits until that works: wait instead of crash-looping into back-off.
      initContainers: [waitForHttp(props.ctx, 'wait-for-apiserver', props.ctx.images.clearml, `${props.endpoints.apiserver.url}/debug.ping`)],
      defaultResources: FILESERVER_DEFAULT_RESOURCES,
      volumes: withRedisCa(serverVolumes(props.storage, mounted), props.redis),
      capabilities: PYTHON_SERVER_CAPABILITIES,
    });
  }
}
