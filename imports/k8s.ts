// Typed Kubernetes 1.27 API objects. `cdk8s import k8s` needs network access to fetch the schema, so we
// re-export the classes cdk8s-plus-27 generated from the same 1.27 schema.
export * from 'cdk8s-plus-27/lib/imports/k8s';
