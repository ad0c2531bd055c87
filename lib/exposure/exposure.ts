import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { ClearmlContext, identity, objectName } from '../core/context';
import { checkDnsSubdomain, checkLabel, ClearmlConfigError } from '../core/errors';
import { componentMetadata } from '../core/labels';
import { ServiceEndpoint } from '../core/workload';

/** Host names of the three public endpoints. */
export interface PublicHosts {
  /** Web app, e.g. `app.clearml.example.com`. */
  readonly app: string;
  /** API, e.g. `api.clearml.example.com`. */
  readonly api: string;
  /** File server, e.g. `files.clearml.example.com`. */
  readonly files: string;
}

/** The Ingress in front of the three servers. */
export interface IngressOptions {
  /** IngressClass. @default - the cluster's default IngressClass */
  readonly className?: string;
  /** Annotations, on top of `nginx.ingress.kubernetes.io/proxy-body-size: "0"` (uploads of any size). @default {} */
  readonly annotations?: Record<string, string>;
  /** TLS Secret for the three hosts; TLS makes the public URLs https and the cookies Secure. @default - no TLS */
  readonly tlsSecretName?: string;
  /** Host names. @default - `app.`, `api.` and `files.<domain>` */
  readonly hosts?: PublicHosts;
}

/** How clients reach ClearML. */
export interface ExposureOptions {
  /**
   * `NodePort` (the classic NodePorts 30008/30080/30081), `Ingress` (ClusterIP Services behind one
   * Ingress) or `LoadBalancer` (one load balancer per server).
   * @default 'NodePort'
   */
  readonly type?: 'NodePort' | 'Ingress' | 'LoadBalancer';
  /** Ingress settings (type `Ingress`). @default - see IngressOptions */
  readonly ingress?: IngressOptions;
  /** Annotations of the three server Services (e.g. for a cloud load balancer). @default {} */
  readonly serviceAnnotations?: Record<string, string>;
}

/** Upload size is unlimited in ClearML (`client_max_body_size 0`); an nginx ingress must not cap it. */
export const INGRESS_DEFAULT_ANNOTATIONS: Record<string, string> = { 'nginx.ingress.kubernetes.io/proxy-body-size': '0' };

/** Validates the public host names, from `exposure.ingress.hosts` or derived from `domain`. */
export function resolveHosts(option: string, hosts: PublicHosts | undefined, domain: string | undefined): PublicHosts | undefined {
  if (hosts) {
    const checked = {
      app: checkDnsSubdomain(`${option}.app`, hosts.app),
      api: checkDnsSubdomain(`${option}.api`, hosts.api),
      files: checkDnsSubdomain(`${option}.files`, hosts.files),
    };
    if (new Set(Object.values(checked)).size !== 3) {
      throw new ClearmlConfigError(option, 'app, api and files must be three different host names: the servers are told apart by host');
    }
    return checked;
  }
  return domain ? { app: `app.${domain}`, api: `api.${domain}`, files: `files.${domain}` } : undefined;
}

/** The web app guesses `api.`/`files.` from an `app.` origin; other names must be told explicitly. */
export function followsAppConvention(h: PublicHosts): boolean {
  if (!h.app.startsWith('app.')) return false;
  const rest = h.app.slice('app.'.length);
  return h.api === `api.${rest}` && h.files === `files.${rest}`;
}

/** The longest common parent domain of the three hosts (at least two labels), for a shared auth cookie. */
export function commonParentDomain(h: PublicHosts): string | undefined {
  const labels = [h.app, h.api, h.files].map((x) => x.split('.').reverse());
  const common: string[] = [];
  for (let i = 0; labels.every((l) => i < l.length - 1 && l[i] === labels[0][i]); i++) common.push(labels[0][i]);
  return common.length >= 2 ? `.${common.reverse().join('.')}` : undefined;
}

/** Validates annotation keys. */
export function checkAnnotations(option: string, annotations: Record<string, string> = {}): Record<string, string> {
  for (const [k, v] of Object.entries(annotations)) {
    checkLabel(`${option}`, k, '');
    if (typeof v !== 'string') throw new ClearmlConfigError(`${option}.${k}`, `must be a string (got ${typeof v})`);
  }
  return annotations;
}

/** Props of `ServerIngress`. */
export interface ServerIngressProps {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** Host names. */
  readonly hosts: PublicHosts;
  /** The Services behind them. */
  readonly backends: { readonly app: ServiceEndpoint; readonly api: ServiceEndpoint; readonly files: ServiceEndpoint };
  /** IngressClass. @default - the cluster default */
  readonly className?: string;
  /** Annotations (defaults included). */
  readonly annotations: Record<string, string>;
  /** TLS Secret. @default - no TLS */
  readonly tlsSecretName?: string;
}

/** One Ingress routing `app.`, `api.` and `files.` hosts to the webserver, apiserver and fileserver. */
export class ServerIngress extends Construct {
  /** Name of the Ingress. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: ServerIngressProps) {
    super(scope, id);
    const { ctx, hosts, backends } = props;
    this.name = objectName(ctx, 'ingress');
    const rule = (host: string, svc: ServiceEndpoint): k8s.IngressRule => ({
      host,
      http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: svc.name, port: { number: svc.port } } } }] },
    });
    new k8s.KubeIngress(this, 'Ingress', {
      metadata: { ...componentMetadata(identity(ctx, 'ingress'), this.name, ctx.namespace), annotations: props.annotations },
      spec: {
        ...(props.className ? { ingressClassName: props.className } : {}),
        ...(props.tlsSecretName ? { tls: [{ hosts: [hosts.app, hosts.api, hosts.files], secretName: props.tlsSecretName }] } : {}),
        rules: [rule(hosts.app, backends.app), rule(hosts.api, backends.api), rule(hosts.files, backends.files)],
      },
    });
  }
}
