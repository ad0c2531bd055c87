import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { ClearmlContext } from './context';
import { APP_NAME, LABEL } from './labels';

/** Pod Security Admission levels the library enforces. */
export type NamespaceSecurity = 'baseline' | 'privileged';

/** A namespace of the installation that enforces (and warns and audits at) one Pod Security level. */
export function createNamespace(scope: Construct, id: string, ctx: ClearmlContext, name: string, podSecurity: NamespaceSecurity, component?: string): k8s.KubeNamespace {
  return new k8s.KubeNamespace(scope, id, {
    metadata: {
      name,
      labels: {
        [LABEL.name]: APP_NAME,
        [LABEL.instance]: ctx.instance,
        ...(component ? { [LABEL.component]: component } : {}),
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
