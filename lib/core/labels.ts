import { ApiObjectMetadata } from 'cdk8s';

/** Label keys. Selectors use only the first three: selectors are immutable in a live cluster. */
export const LABEL = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
  version: 'app.kubernetes.io/version',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

/** The value of `app.kubernetes.io/name` and `part-of` on everything we create. */
export const APP_NAME = 'clearml';

/** Identifies one component of one ClearML installation. */
export interface ComponentIdentity {
  /** Installation name: the object name prefix and `app.kubernetes.io/instance`. */
  readonly instance: string;
  /** Component, e.g. `apiserver`. */
  readonly component: string;
  /** Version of the software the component runs, for `app.kubernetes.io/version`. */
  readonly version?: string;
}

/** Pod selector of a component: stable across versions and refactors. */
export function selectorLabels(id: ComponentIdentity): Record<string, string> {
  return {
    [LABEL.name]: APP_NAME,
    [LABEL.instance]: id.instance,
    [LABEL.component]: id.component,
  };
}

/** Every label of a component's objects and pods. */
export function componentLabels(id: ComponentIdentity): Record<string, string> {
  return {
    ...selectorLabels(id),
    [LABEL.partOf]: APP_NAME,
    ...(id.version ? { [LABEL.version]: versionLabelValue(id.version) } : {}),
    [LABEL.managedBy]: 'cdk8s',
  };
}

/** Object metadata for a component's object called `name` in `namespace` (omit it for cluster-scoped objects). */
export function componentMetadata(id: ComponentIdentity, name: string, namespace?: string): ApiObjectMetadata {
  return { name, ...(namespace ? { namespace } : {}), labels: componentLabels(id) };
}

/** Label values allow [A-Za-z0-9-_.]: a digest or `+build` suffix is cut down to fit. */
function versionLabelValue(version: string): string {
  const cleaned = version.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 63);
  return cleaned.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}
