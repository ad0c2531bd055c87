import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { ClearmlContext, identity, objectName } from '../core/context';
import { APP_NAME, componentMetadata, LABEL, selectorLabels } from '../core/labels';
import { ResolvedS3 } from './backup-options';

/** Components of the backup and restore pods. */
export const BACKUP_COMPONENTS = ['backup', 'restore'] as const;

/** Props of `BackupNetworkPolicy`. */
export interface BackupNetworkPolicyProps {
  /** Resolved installation settings. */
  readonly ctx: ClearmlContext;
  /** Port of the bundled MongoDB, when there is one. */
  readonly mongoPort?: number;
  /** Port of the bundled Elasticsearch, when there is one. */
  readonly elasticsearchPort?: number;
  /** The bucket, for the S3 destination. */
  readonly s3?: ResolvedS3;
}

/**
 * Egress of the backup and restore pods: DNS, the data stores they read and restore, and for S3 the
 * bucket's port (its addresses are not known in advance). Nothing reaches them (the installation's
 * default deny); the data stores admit them through their own policies.
 */
export class BackupNetworkPolicy extends Construct {
  constructor(scope: Construct, id: string, props: BackupNetworkPolicyProps) {
    super(scope, id);
    const { ctx } = props;
    const tcp = (port: number): k8s.NetworkPolicyPort => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
    const toComponent = (component: string, port: number): k8s.NetworkPolicyEgressRule => ({
      to: [{ podSelector: { matchLabels: selectorLabels(identity(ctx, component)) } }],
      ports: [tcp(port)],
    });
    new k8s.KubeNetworkPolicy(this, 'Egress', {
      metadata: componentMetadata(identity(ctx, 'backup'), objectName(ctx, 'backup-egress'), ctx.namespace),
      spec: {
        podSelector: {
          matchLabels: { [LABEL.name]: APP_NAME, [LABEL.instance]: ctx.instance },
          matchExpressions: [{ key: LABEL.component, operator: 'In', values: [...BACKUP_COMPONENTS] }],
        },
        policyTypes: ['Egress'],
        egress: [
          { ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, tcp(53)] },
          ...(props.mongoPort ? [toComponent('mongo', props.mongoPort)] : []),
          ...(props.elasticsearchPort ? [toComponent('elasticsearch', props.elasticsearchPort)] : []),
          ...(props.s3 ? [{ ports: [tcp(props.s3.port)] }] : []),
        ],
      },
    });
  }
}
