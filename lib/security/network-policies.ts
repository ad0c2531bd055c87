import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { ClearmlContext, identity, objectName } from '../core/context';
import { APP_NAME, componentMetadata, LABEL, selectorLabels } from '../core/labels';

/** Options of the NetworkPolicies. */
export interface NetworkPolicyOptions {
  /**
   * Isolate the installation: data stores accept connections only from the ClearML components that
   * use them, and the servers accept only their own port. Needs a CNI that enforces NetworkPolicies.
   * @default true
   */
  readonly enabled?: boolean;
}

/** Who may open connections to a component, and on which ports. */
export interface IngressRule {
  /** Component receiving the connections. */
  readonly component: string;
  /** Its TCP ports, each with the components allowed to connect, or `'anyone'` (users, ingress controllers, NodePorts, agents). */
  readonly ports: ReadonlyArray<{ readonly port: number; readonly from: readonly string[] | 'anyone' }>;
}

/** Props of `NetworkIsolation`. */
export interface NetworkIsolationProps {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** What may reach what; everything else is denied. */
  readonly rules: readonly IngressRule[];
}

/**
 * Ingress NetworkPolicies for one installation: a default deny for all of its pods, then one policy per
 * component that admits exactly the listed peers on exactly its port. Egress stays open (DNS, external
 * storage and the Kubernetes API differ per cluster).
 */
export class NetworkIsolation extends Construct {
  constructor(scope: Construct, id: string, props: NetworkIsolationProps) {
    super(scope, id);
    const { ctx } = props;
    const installation = { [LABEL.name]: APP_NAME, [LABEL.instance]: ctx.instance };
    new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: componentMetadata(identity(ctx, 'network-policy'), objectName(ctx, 'default-deny'), ctx.namespace),
      spec: { podSelector: { matchLabels: installation }, policyTypes: ['Ingress'] },
    });
    for (const rule of props.rules) {
      new k8s.KubeNetworkPolicy(this, rule.component, {
        metadata: componentMetadata(identity(ctx, rule.component), objectName(ctx, rule.component), ctx.namespace),
        spec: {
          podSelector: { matchLabels: selectorLabels(identity(ctx, rule.component)) },
          policyTypes: ['Ingress'],
          ingress: rule.ports.map((p) => ({
            ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(p.port) }],
            ...(p.from === 'anyone' ? {} : { from: p.from.map((c) => ({ podSelector: { matchLabels: selectorLabels(identity(ctx, c)) } })) }),
          })),
        },
      });
    }
  }
}
