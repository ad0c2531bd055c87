import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { ClearmlServer, ClearmlServerProps } from '../../lib';

/** A synthesized manifest, as plain JSON. */
export type Manifest = Record<string, any>;

/**
 * An app for building charts in memory. Unlike cdk8s's `Testing.app()` it makes no output directory (that
 * one makes a temp dir per call and never removes it); its outdir does not exist, and `synth()` is never
 * called on it.
 */
export function testApp(): App {
  return new App({ outdir: path.join(__dirname, 'never-synthesized') });
}

const synthesized = new Map<string, Manifest[]>();

/**
 * Synthesizes a ClearmlServer with these props into plain objects, in output order. Synth is
 * deterministic, so a spec file synthesizes the same plain-data props once and shares the objects, frozen:
 * a test that changes them fails instead of changing them for the next one. `fresh` builds anew, for
 * tests that watch what a synth does (its warnings).
 */
export function synthServer(props?: ClearmlServerProps, fresh = false): Manifest[] {
  const key = fresh ? undefined : plainDataKey(props ?? {});
  const known = key === undefined ? undefined : synthesized.get(key);
  if (known) return known;
  const app = testApp();
  const chart = new Chart(app, 'test');
  new ClearmlServer(chart, 'server', props);
  const objects = deepFreeze(Testing.synth(chart));
  if (key !== undefined) synthesized.set(key, objects);
  return objects;
}

/** The JSON of plain data; undefined when it holds anything JSON would drop or change. */
function plainDataKey(value: unknown): string | undefined {
  let plain = true;
  const key = JSON.stringify(value, (_k, v) => {
    if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint' || v === undefined
      || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype)) plain = false;
    return v;
  });
  return plain ? key : undefined;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The one object of this kind and name; fails loudly when it is missing. */
export function find(objects: Manifest[], kind: string, name: string): Manifest {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) {
    throw new Error(`no ${kind} ${name} in: ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  }
  return found;
}

/** Objects that own a pod template. */
export function workloads(objects: Manifest[]): Manifest[] {
  return objects.filter((o) => ['Deployment', 'DaemonSet', 'StatefulSet', 'Job'].includes(o.kind));
}

/** Every container (init included) of every workload, with where it lives. */
export function containers(objects: Manifest[]): Array<{ owner: Manifest; container: Manifest; init: boolean }> {
  return workloads(objects).flatMap((owner) => [
    ...(owner.spec.template.spec.initContainers ?? []).map((c: Manifest) => ({ owner, container: c, init: true })),
    ...owner.spec.template.spec.containers.map((c: Manifest) => ({ owner, container: c, init: false })),
  ]);
}

/** The main container of a component's Deployment. */
export function mainContainer(objects: Manifest[], name: string): Manifest {
  return find(objects, 'Deployment', name).spec.template.spec.containers[0];
}

/** A container's environment as a map; references become `secret:<name>/<key>` and `field:<path>`. */
export function envOf(container: Manifest): Record<string, string> {
  const show = (e: Manifest) => e.value
    ?? (e.valueFrom.secretKeyRef ? `secret:${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}` : `field:${e.valueFrom.fieldRef.fieldPath}`);
  return Object.fromEntries((container.env ?? []).map((e: Manifest) => [e.name, show(e)]));
}
