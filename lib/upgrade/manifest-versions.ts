/**
 * The hook of the review diff: reads the versions each installation runs from its workloads' images,
 * before and after, and turns the upgrade rules that apply into flags with the ordered steps.
 */
import { BACKUP_STEP, COMPONENT_NAMES, fillPlaceholders, MANUAL_BACKUP_STEP, planSteps, planUpgrade, ReleaseSet, UpgradeComponent } from './rules';
import { imageTag, parseRelease, Release } from './version';

type Manifest = Record<string, any>;

/** The component label of the workload whose main container runs each piece of software. */
const WORKLOAD_COMPONENTS: Record<string, UpgradeComponent> = { apiserver: 'clearml', elasticsearch: 'elasticsearch', mongo: 'mongo', redis: 'redis' };

interface Running {
  readonly release: Release;
  readonly object: Manifest;
  readonly path: string;
  readonly image: string;
}

interface Installation {
  readonly namespace: string;
  readonly instance: string;
  readonly components: Partial<Record<UpgradeComponent, Running>>;
}

/** A version change that needs attention, on the workload that runs the component. */
export interface VersionFlag {
  /** The workload (after the change when it exists, else before). */
  readonly object: Manifest;
  readonly path: string;
  readonly before: string;
  readonly after: string;
  readonly reason: string;
  /** The ordered steps of the whole change of the installation, on its first flag only. */
  readonly steps?: readonly string[];
}

function installations(objects: readonly Manifest[]): Map<string, Installation> {
  const out = new Map<string, Installation>();
  for (const o of objects) {
    const labels = o.metadata?.labels ?? {};
    const component = WORKLOAD_COMPONENTS[labels['app.kubernetes.io/component']];
    if (!component || labels['app.kubernetes.io/name'] !== 'clearml' || !['Deployment', 'StatefulSet'].includes(o.kind)) continue;
    const containers: Manifest[] = o.spec?.template?.spec?.containers ?? [];
    const main = containers.find((c) => c?.name === labels['app.kubernetes.io/component']);
    const release = typeof main?.image === 'string' ? parseRelease(imageTag(main.image)) : undefined;
    if (!release) continue;
    const namespace = o.metadata?.namespace ?? '';
    const instance = labels['app.kubernetes.io/instance'] ?? '';
    const key = `${namespace}/${instance}`;
    const inst = out.get(key) ?? { namespace, instance, components: {} };
    (inst.components as Record<string, Running>)[component] = { release, object: o, path: `spec.template.spec.containers[name=${main!.name}].image`, image: main!.image };
    out.set(key, inst);
  }
  return out;
}

/** The versions each installation runs, by `<namespace>/<instance>`. */
export function installationVersions(objects: readonly Manifest[]): Map<string, ReleaseSet> {
  return new Map([...installations(objects)].map(([k, i]) => [k, releases(i)]));
}

function releases(i: Installation): ReleaseSet {
  return Object.fromEntries(Object.entries(i.components).map(([k, r]) => [k, r!.release]));
}

function execTarget(r: Running | undefined): string | undefined {
  return r && `${r.object.kind === 'StatefulSet' ? 'statefulset' : 'deploy'}/${r.object.metadata.name}`;
}

/** The values of the rules' placeholders (`fillPlaceholders`) for one installation. */
function placeholders(i: Installation): { namespace: string; name: string; mongo?: string; elasticsearch?: string } {
  return { namespace: i.namespace, name: i.instance, mongo: execTarget(i.components.mongo), elasticsearch: execTarget(i.components.elasticsearch) };
}

/** The same for the installation `<namespace>/<instance>` of these objects. */
export function placeholdersFor(objects: readonly Manifest[], namespace: string, instance: string): ReturnType<typeof placeholders> {
  return placeholders(installations(objects).get(`${namespace}/${instance}`) ?? { namespace, instance, components: {} });
}

/** Flags for every installation whose versions change in a way the upgrade rules name. */
export function versionChangeFlags(before: readonly Manifest[], after: readonly Manifest[]): VersionFlag[] {
  const was = installations(before);
  const flags: VersionFlag[] = [];
  for (const [key, now] of installations(after)) {
    const old = was.get(key);
    if (!old) continue;
    const from = releases(old);
    const plan = planUpgrade(from, releases(now));
    if (plan.findings.length === 0) continue;
    const fill = (s: string) => fillPlaceholders(s, placeholders(now));
    const hasBackups = [...before, ...after].some((o) => o.kind === 'CronJob' && o.metadata?.namespace === now.namespace
      && o.metadata?.labels?.['app.kubernetes.io/instance'] === now.instance && o.metadata?.labels?.['app.kubernetes.io/component'] === 'backup');
    const steps = planSteps(plan, from, hasBackups ? BACKUP_STEP : MANUAL_BACKUP_STEP).map(fill);
    plan.findings.forEach((f, i) => {
      const component = f.rule.component;
      const running = now.components[component] ?? old.components[component]!;
      flags.push({
        object: running.object,
        path: running.path,
        before: old.components[component]!.image,
        after: now.components[component]!.image,
        reason: `${fill(f.outcome.message)} [rule ${f.rule.id}; ${COMPONENT_NAMES[component]}${f.outcome.blocking ? '; do not apply directly' : ''}]`,
        ...(i === 0 ? { steps: [plan.refused.length ? 'Refused:' : 'Steps, in order:', ...steps] } : {}),
      });
    });
  }
  return flags;
}
