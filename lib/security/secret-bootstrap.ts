import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { container, nonRootSecurityContext } from '../core/container';
import { ClearmlContext, identity, objectName } from '../core/context';
import { componentMetadata } from '../core/labels';
import { resources } from '../core/resources';
import { createServiceAccount, podTemplate } from '../core/workload';
import { BOOTSTRAP_SCRIPT } from './bootstrap-script';
import { CredentialKind } from './credential-keys';

/** A Secret the bootstrap Job creates once with random values, or a copy of some of its keys. */
export interface BootstrapTarget {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Record<string, string>;
}

/** What one bootstrap Job creates. */
export interface SecretBootstrapSpec {
  /** Component of the Job, its ServiceAccount, Role and script ConfigMap, e.g. `credentials-bootstrap`. */
  readonly component: string;
  /** The Secret, and the shape of each of its generated values. */
  readonly secret: BootstrapTarget & { readonly keys: Record<string, CredentialKind> };
  /** Copies of some keys in other namespaces. @default none */
  readonly mirrors?: ReadonlyArray<BootstrapTarget & { readonly keys: readonly string[] }>;
}

const SCRIPT_DIR = '/bootstrap';

/**
 * An idempotent in-cluster Job that creates a Secret with random values once and never touches it
 * again (the pattern of every generated Secret: no value is ever synthesized), with the narrowest
 * rights: create Secrets (create cannot be limited by name) and read only its own Secrets.
 */
export function createSecretBootstrap(scope: Construct, ctx: ClearmlContext, spec: SecretBootstrapSpec): void {
  const name = objectName(ctx, spec.component);
  const id = identity(ctx, spec.component, ctx.versions.clearml);
  const sa = createServiceAccount(scope, ctx, spec.component);
  const mirrors = spec.mirrors ?? [];
  const grant = (namespace: string, suffix: string, secretName: string) => {
    const metadata = componentMetadata(id, name, namespace);
    new k8s.KubeRole(scope, `Role${suffix}`, {
      metadata,
      rules: [
        { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
        { apiGroups: [''], resources: ['secrets'], resourceNames: [secretName], verbs: ['get'] },
      ],
    });
    new k8s.KubeRoleBinding(scope, `RoleBinding${suffix}`, {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: ctx.namespace }],
    });
  };
  grant(spec.secret.namespace, '', spec.secret.name);
  mirrors.forEach((m, i) => grant(m.namespace, `Mirror${i}`, m.name));

  new k8s.KubeConfigMap(scope, 'Script', {
    metadata: componentMetadata(id, name, ctx.namespace),
    data: { 'bootstrap.py': BOOTSTRAP_SCRIPT },
  });

  new k8s.KubeJob(scope, 'Job', {
    metadata: componentMetadata(id, name, ctx.namespace),
    spec: {
      backoffLimit: 10,
      template: podTemplate(ctx, {
        component: spec.component,
        version: ctx.versions.clearml,
        serviceAccountName: sa.name,
        mountServiceAccountToken: true,
        restartPolicy: 'OnFailure',
        containers: [container(ctx, {
          name: 'bootstrap',
          image: ctx.images.clearml,
          command: ['python3', `${SCRIPT_DIR}/bootstrap.py`],
          env: [{ name: 'BOOTSTRAP_SPEC', value: JSON.stringify({ secret: spec.secret, mirrors }) }],
          resources: resources('10m', '32Mi', '50m', '128Mi'),
          volumeMounts: [{ name: 'script', mountPath: SCRIPT_DIR, readOnly: true }],
          securityContext: nonRootSecurityContext(65534, 65534, true),
        })],
        volumes: [{ name: 'script', configMap: { name } }],
      }),
    },
  });
}
