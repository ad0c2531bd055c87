import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';

/**
 * The few Prometheus Operator custom resources (`monitoring.coreos.com/v1`) the library writes, typed
 * by hand: importing the CRDs would need the network at build time and pull in hundreds of types.
 * `lib/validate/monitoring-validate.ts` checks them like every built-in object.
 */
export const MONITORING_API_VERSION = 'monitoring.coreos.com/v1';

/** A label selector (`metav1.LabelSelector`). */
export interface MonitorLabelSelector {
  /** Labels the selected objects carry. */
  readonly matchLabels?: Record<string, string>;
  /** Set-based requirements. */
  readonly matchExpressions?: ReadonlyArray<{ readonly key: string; readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; readonly values?: readonly string[] }>;
}

/** One relabeling step applied to a target's labels before scraping. */
export interface RelabelConfig {
  /** Label to write. */
  readonly targetLabel?: string;
  /** Value written (regex groups of the source labels may be used). */
  readonly replacement?: string;
  /** Labels read. */
  readonly sourceLabels?: readonly string[];
  /** Regex matched against the joined source labels. */
  readonly regex?: string;
  /** What to do. */
  readonly action?: 'replace' | 'keep' | 'drop' | 'labelmap' | 'labeldrop' | 'labelkeep';
}

/** One scraped port of the selected Services. */
export interface ServiceMonitorEndpoint {
  /** Name of the Service port. */
  readonly port: string;
  /** HTTP path. */
  readonly path?: string;
  /** `http` or `https`. */
  readonly scheme?: 'http' | 'https';
  /** Scrape interval, a Prometheus duration such as `30s`. */
  readonly interval?: string;
  /** Scrape timeout, at most the interval. */
  readonly scrapeTimeout?: string;
  /** Relabelings of the target. */
  readonly relabelings?: readonly RelabelConfig[];
}

/** `spec` of a ServiceMonitor. */
export interface ServiceMonitorSpec {
  /** Services to scrape. */
  readonly selector: MonitorLabelSelector;
  /** Namespaces of those Services. */
  readonly namespaceSelector?: { readonly matchNames?: readonly string[]; readonly any?: boolean };
  /** Ports to scrape. */
  readonly endpoints: readonly ServiceMonitorEndpoint[];
  /** Service label whose value becomes the `job` label. */
  readonly jobLabel?: string;
}

/** One alerting rule. */
export interface AlertingRule {
  /** Alert name (a Prometheus metric name). */
  readonly alert: string;
  /** PromQL expression; every resulting series is an alert. */
  readonly expr: string;
  /** How long the expression must hold before the alert fires. */
  readonly for?: string;
  /** Labels, `severity` at least. */
  readonly labels: Record<string, string>;
  /** Annotations, `summary` at least. */
  readonly annotations: Record<string, string>;
}

/** A group of rules evaluated together. */
export interface RuleGroup {
  /** Group name, unique in the object. */
  readonly name: string;
  /** Evaluation interval. @default - Prometheus' global interval */
  readonly interval?: string;
  /** Rules. */
  readonly rules: readonly AlertingRule[];
}

/** `spec` of a PrometheusRule. */
export interface PrometheusRuleSpec {
  /** Rule groups. */
  readonly groups: readonly RuleGroup[];
}

/** Props of a monitoring custom resource. */
export interface MonitoringObjectProps<S> {
  /** Metadata, name and namespace at least. */
  readonly metadata: ApiObjectMetadata;
  /** The resource's spec. */
  readonly spec: S;
}

/** A `monitoring.coreos.com/v1` ServiceMonitor. */
export class ServiceMonitor extends ApiObject {
  constructor(scope: Construct, id: string, props: MonitoringObjectProps<ServiceMonitorSpec>) {
    super(scope, id, { apiVersion: MONITORING_API_VERSION, kind: 'ServiceMonitor', metadata: props.metadata, spec: props.spec });
  }
}

/** A `monitoring.coreos.com/v1` PrometheusRule. */
export class PrometheusRule extends ApiObject {
  constructor(scope: Construct, id: string, props: MonitoringObjectProps<PrometheusRuleSpec>) {
    super(scope, id, { apiVersion: MONITORING_API_VERSION, kind: 'PrometheusRule', metadata: props.metadata, spec: props.spec });
  }
}
