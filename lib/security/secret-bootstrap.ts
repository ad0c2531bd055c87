import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { container, nonRootSecurityContext } from '../core/container';
import { ClearmlContext, identity, objectName } from '../core/context';
import { componentMetadata } from '../core/labels';
import { resources } from '../core/resources';
import { createServiceAccount, podTemplate } from '../core/workload';
import { BOOTSTRAP_SCRIPT } from './bootstrap-script';
import { CredentialKind } from './credential-keys';

/** A Secret the bootstrap script creates once with random values, or a copy of some of its keys. */
export interface BootstrapTarget {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Record<string, string>;
}

/** The bootstrap script's input (`BOOTSTRAP_SPEC`): a Secret and the shape of each value, and copies. */
export interface BootstrapSecrets {
  /** The Secret, and the shape of each of its generated values. */
  readonly secret: BootstrapTarget & { readonly keys: Record<string, CredentialKind> };
  /** Copies of some keys in other namespaces. @default none */
  readonly mirrors?: ReadonlyArray<BootstrapTarget & { readonly keys: readonly string[] }>;
}

const SCRIPT_DIR = '/bootstrap';

/** Secrets a bootstrap Job may create and read in one namespace. */
export interface SecretGrant {
  /** Namespace. */
  readonly namespace: string;
  /** The Secrets it reads (create cannot be limited by name). */
  readonly secretNames: readonly string[];
}

/** A Job that runs the credentials bootstrap script once in the cluster. */
export interface SecretBootstrapSpec {
  /** Component name of the Job, its ServiceAccount, Roles and script ConfigMap. */
  readonly component: string;
  /** Where it creates and reads Secrets. */
  readonly grants: readonly SecretGrant[];
  /** The script's input (`BOOTSTRAP_SPEC`). */
  readonly spec: BootstrapSecrets;
}

/**
 * The bootstrap Job with the narrowest rights: create Secrets where it must, and read back only its
 * own. It runs the ClearML Server image (Python's standard library only).
 */
export function createSecretBootstrap(scope: Construct, ctx: ClearmlContext, s: SecretBootstrapSpec): void {
  const name = objectName(ctx, s.component);
  const id = identity(ctx, s.component, ctx.versions.clearml);
  const sa = createServiceAccount(scope, ctx, s.component);
  s.grants.forEach((g, i) => {
    const metadata = componentMetadata(id, name, g.namespace);
    const suffix = i === 0 ? '' : `Mirror${i - 1}`;
    new k8s.KubeRole(scope, `Role${suffix}`, {
      metadata,
      rules: [
        { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
        { apiGroups: [''], resources: ['secrets'], resourceNames: [...g.secretNames], verbs: ['get'] },
      ],
    });
    new k8s.KubeRoleBinding(scope, `RoleBinding${suffix}`, {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: ctx.namespace }],
    });
  });

  new k8s.KubeConfigMap(scope, 'Script', {
    metadata: componentMetadata(id, name, ctx.namespace),
    data: { 'bootstrap.py': BOOTSTRAP_SCRIPT },
  });

  new k8s.KubeJob(scope, 'Job', {
    metadata: componentMetadata(id, name, ctx.namespace),
    spec: {
      backoffLimit: 10,
      template: podTemplate(ctx, {
        component: s.component,
        version: ctx.versions.clearml,
        serviceAccountName: sa.name,
        mountServiceAccountToken: true,
        restartPolicy: 'OnFailure',
        containers: [container(ctx, {
          name: 'bootstrap',
          image: ctx.images.clearml,
          command: ['python3', `${SCRIPT_DIR}/bootstrap.py`],
          env: [{ name: 'BOOTSTRAP_SPEC', value: JSON.stringify(s.spec) }],
          resources: resources('10m', '32Mi', '50m', '128Mi'),
          volumeMounts: [{ name: 'script', mountPath: SCRIPT_DIR, readOnly: true }],
          securityContext: nonRootSecurityContext(65534, 65534, true),
        })],
        volumes: [{ name: 'script', configMap: { name } }],
      }),
    },
  });
}
