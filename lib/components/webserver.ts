import { Construct } from 'constructs';
import { container, envVars } from '../core/container';
import { ClearmlContext } from '../core/context';
import { httpProbe, startupProbe } from '../core/probes';
import { resolveResources, resources, ResolvedResources, ResourceSpec } from '../core/resources';
import { createDeployment, createService, ServiceEndpoint } from '../core/workload';
import { ServerEndpoints } from './server-common';

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
    const ok = httpProbe('/', 'http', { timeoutSeconds: 5 });
    createDeployment(this, ctx, {
      component: 'webserver',
      version: ctx.versions.clearml,
      strategy: 'RollingUpdate',
      containers: [container(ctx, {
        name: 'webserver',
        image: ctx.images.clearml,
        args: ['webserver'],
        env: envVars({
          NGINX_APISERVER_ADDRESS: endpoints.apiserver.url,
          NGINX_FILESERVER_ADDRESS: endpoints.fileserver.url,
        }),
        ports: { http: this.endpoint.port },
        probes: { startup: startupProbe(ok, 300, 5), liveness: ok, readiness: ok },
        resources: resolveResources('webserver.resources', WEBSERVER_DEFAULT_RESOURCES, props.resources),
      })],
    });
    createService(this, ctx, 'webserver', this.endpoint, [{ name: 'http', port: this.endpoint.port, targetPort: 'http', nodePort: props.nodePort ?? 30080 }], 'NodePort');
  }
}
