import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { NodeLabel } from './context';

/** What one installation takes that another one in the same cluster cannot take too. */
export interface Footprint {
  /** Installation name (`name`). */
  readonly instance: string;
  /** Label of the nodes that hold its node directories. */
  readonly nodeLabel: NodeLabel;
  /** Node directories it uses. */
  readonly nodeDirectories: readonly string[];
}

const FOOTPRINT = Symbol.for('cdk8s-clearml.footprint');

/**
 * Refuses, when the app is synthesized, two installations in one app that would fight over the same
 * cluster: the same object (a PersistentVolume, a namespace, any object of the same kind, namespace and
 * name), the same NodePort, or the same (or a nested) node directory on nodes of the same label. Each
 * clash is reported once, by the later installation, naming both.
 */
export function refuseClashes(installation: Construct, footprint: Footprint): void {
  (installation as unknown as Record<symbol, Footprint>)[FOOTPRINT] = footprint;
  installation.node.addValidation({
    validate: () => {
      const all = installation.node.root.node.findAll().filter((c) => footprintOf(c) !== undefined);
      const earlier = all.slice(0, all.indexOf(installation));
      return earlier.flatMap((other) => clashes(other, installation));
    },
  });
}

function footprintOf(c: IConstruct): Footprint | undefined {
  return (c as unknown as Record<symbol, Footprint | undefined>)[FOOTPRINT];
}

function display(c: Construct): string {
  return `"${footprintOf(c)!.instance}" (${c.node.path})`;
}

/** Object identities and NodePorts of an installation's objects. */
function claims(c: Construct): { objects: Set<string>; nodePorts: Set<number> } {
  const objects = new Set<string>();
  const nodePorts = new Set<number>();
  for (const o of c.node.findAll().filter((x): x is ApiObject => x instanceof ApiObject)) {
    const json = o.toJson();
    const ns = json.metadata?.namespace;
    objects.add(`${json.kind} ${ns ? `${ns}/` : ''}${json.metadata?.name}`);
    if (json.kind === 'Service') {
      for (const p of json.spec?.ports ?? []) if (typeof p.nodePort === 'number') nodePorts.add(p.nodePort);
    }
  }
  return { objects, nodePorts };
}

function within(dir: string, root: string): boolean {
  return dir === root || dir.startsWith(root.endsWith('/') ? root : `${root}/`);
}

function clashes(a: Construct, b: Construct): string[] {
  const both = `ClearML installations ${display(a)} and ${display(b)} clash:`;
  const ca = claims(a);
  const cb = claims(b);
  const out = [
    ...[...cb.objects].filter((o) => ca.objects.has(o)).map((o) => `${both} both create ${o}; give one another name or namespace`),
    ...[...cb.nodePorts].filter((p) => ca.nodePorts.has(p)).map((p) => `${both} both use NodePort ${p}; set another <component>.nodePort on one`),
  ];
  const fa = footprintOf(a)!;
  const fb = footprintOf(b)!;
  if (fa.nodeLabel.key === fb.nodeLabel.key && fa.nodeLabel.value === fb.nodeLabel.value) {
    const label = `${fa.nodeLabel.key}=${fa.nodeLabel.value}`;
    for (const da of fa.nodeDirectories) {
      for (const db of fb.nodeDirectories) {
        if (da === db) out.push(`${both} both use node directory ${da} on the nodes labeled ${label}; set another nodeStorageRoot on one`);
        else if (within(db, da) || within(da, db)) out.push(`${both} node directory ${da} of one and ${db} of the other are nested, on the nodes labeled ${label}; set another nodeStorageRoot on one`);
      }
    }
  }
  return out;
}
