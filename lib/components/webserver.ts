import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { ComponentOptions } from '../core/component-options';
import { envVars } from '../core/container';
import { ClearmlContext, identity, objectName } from '../core/context';
import { componentMetadata } from '../core/labels';
import { resources, ResolvedResources } from '../core/resources';
import { ServiceEndpoint, ServiceExposure } from '../core/workload';
import { createServer, ServerEndpoints } from './server-common';

/** Options of the web server. */
export interface WebserverOptions extends ComponentOptions {
  /** NodePort of the web app. @default 30080 @onlyWith exposure.type NodePort */
  readonly nodePort?: number;
  /** Replicas. @default 1 */
  readonly replicas?: number;
  /** The web app's `configuration.json` (merged with the `WEBSERVER__*` settings the library sets). @default - none */
  readonly configuration?: Record<string, unknown>;
}

/** Props of `Webserver`. */
export interface WebserverProps {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** The user's options. */
  readonly options: WebserverOptions;
  /** Service handles of the ClearML servers. */
  readonly endpoints: ServerEndpoints;
  /** How its Service is exposed. */
  readonly service: ServiceExposure;
  /** Web app settings, as `WEBSERVER__<key>` (values JSON), e.g. where the API is when the host names do not follow `app.`/`api.`/`files.`. */
  readonly webSettings: Record<string, unknown>;
}

export const WEBSERVER_DEFAULT_RESOURCES: ResolvedResources = resources('50m', '64Mi', '200m', '256Mi');

const EXTERNAL_CONFIG_DIR = '/mnt/external_files/configs';

/** The ClearML web app: nginx serving the UI and proxying `/api` and `/files` to the other servers. */
export class Webserver extends Construct {
  /** The Service. */
  public readonly endpoint: ServiceEndpoint;

  constructor(scope: Construct, id: string, props: WebserverProps) {
    super(scope, id);
    const { ctx, endpoints, options } = props;
    this.endpoint = endpoints.webserver;
    const configMap = options.configuration ? objectName(ctx, 'webserver-config') : undefined;
    if (configMap) {
      new k8s.KubeConfigMap(this, 'Configuration', {
        metadata: componentMetadata(identity(ctx, 'webserver'), configMap, ctx.namespace),
        data: { 'configuration.json': `${JSON.stringify(options.configuration, null, 2)}\n` },
      });
    }
    createServer(this, ctx, {
      component: 'webserver',
      options,
      endpoint: this.endpoint,
      service: props.service,
      strategy: 'RollingUpdate',
      env: envVars({
        NGINX_APISERVER_ADDRESS: endpoints.apiserver.url,
        NGINX_FILESERVER_ADDRESS: endpoints.fileserver.url,
        // The entrypoint parses each WEBSERVER__ value as JSON into configuration.json.
        ...Object.fromEntries(Object.entries(props.webSettings).map(([k, v]) => [`WEBSERVER__${k}`, JSON.stringify(v)])),
      }),
      healthPath: '/',
      startupSeconds: 300,
      defaultResources: WEBSERVER_DEFAULT_RESOURCES,
      volumes: configMap
        ? { volumes: [{ name: 'configuration', configMap: { name: configMap } }], mounts: [{ name: 'configuration', mountPath: EXTERNAL_CONFIG_DIR, readOnly: true }], usesNodeStorage: false }
        : undefined,
      // nginx: the root master binds :80, switches its workers to www-data, chowns their temp dirs and signals them.
      capabilities: ['NET_BIND_SERVICE', 'SETUID', 'SETGID', 'CHOWN', 'KILL'],
    });
  }
}
