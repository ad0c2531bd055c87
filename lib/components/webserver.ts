import { Construct } from 'constructs';
import { envVars } from '../core/container';
import { ClearmlContext } from '../core/context';
import { resolveResources, resources, ResolvedResources, ResourceSpec } from '../core/resources';
import { ServiceEndpoint } from '../core/workload';
import { createServer, ServerEndpoints } from './server-common';

/** Options of the web server. */
export interface WebserverOptions {
  /** Requests and limits. @default 50m/64Mi requested, 200m/256Mi limit */
  readonly resources?: ResourceSpec;
  /** NodePort of the web app. @default 30080 */
  readonly nodePort?: number;
}

/** Props of `Webserver`. */
export interface WebserverProps extends WebserverOptions {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** Service handles of the ClearML servers. */
  readonly endpoints: ServerEndpoints;
}

export const WEBSERVER_DEFAULT_RESOURCES: ResolvedResources = resources('50m', '64Mi', '200m', '256Mi');

/** The ClearML web app: nginx serving the UI and proxying `/api` and `/files` to the other servers. */
export class Webserver extends Construct {
  /** The Service. */
  public readonly endpoint: ServiceEndpoint;

  constructor(scope: Construct, id: string, props: WebserverProps) {
    super(scope, id);
    const { ctx, endpoints } = props;
    this.endpoint = endpoints.webserver;
    createServer(this, ctx, {
      component: 'webserver',
      endpoint: this.endpoint,
      strategy: 'RollingUpdate',
      env: envVars({
        NGINX_APISERVER_ADDRESS: endpoints.apiserver.url,
        NGINX_FILESERVER_ADDRESS: endpoints.fileserver.url,
      }),
      healthPath: '/',
      startupSeconds: 300,
      resources: resolveResources('webserver.resources', WEBSERVER_DEFAULT_RESOURCES, props.resources),
      nodePort: props.nodePort ?? 30080,
      // nginx: the root master binds :80, switches its workers to www-data, chowns their temp dirs and signals them.
      capabilities: ['NET_BIND_SERVICE', 'SETUID', 'SETGID', 'CHOWN', 'KILL'],
    });
  }
}
