/**
 * The upgrade rules of ClearML Server and its data stores: one table, each rule with its source. The
 * review diff (lib/diff/manifest-diff.ts), the restore command and the generated docs all read it.
 */
import { applyCommand } from '../prune';
import { atLeast, below, compareReleases, parseRelease, Release } from './version';

/** Software whose version changes are checked. */
export type UpgradeComponent = 'clearml' | 'elasticsearch' | 'mongo' | 'redis';

/** Versions of one installation; a component left out is unknown (external, or not a release tag). */
export type ReleaseSet = Partial<Record<UpgradeComponent, Release>>;

/** A version change of one installation. */
export interface VersionChange {
  readonly from: ReleaseSet;
  readonly to: ReleaseSet;
}

/** What a rule says about a change. */
export interface RuleOutcome {
  /** What is wrong or risky, one sentence. */
  readonly message: string;
  /** Applying the change directly loses or corrupts data, or does not start: go through `via`, or by hand. */
  readonly blocking: boolean;
  /** Intermediate versions to deploy first (blocking rules with a known path). */
  readonly via?: Partial<Record<UpgradeComponent, string>>;
  /** Steps before applying. */
  readonly before?: readonly string[];
  /** Steps after applying, once the pods are ready. */
  readonly after?: readonly string[];
}

/** One row of the table. */
export interface UpgradeRule {
  /** Stable id, shown in the diff. */
  readonly id: string;
  readonly component: UpgradeComponent;
  /** When the rule applies, for the docs. */
  readonly when: string;
  /** What to do, for the docs. */
  readonly action: string;
  /** Where the rule comes from, for the docs (the code comment says the same). */
  readonly source: string;
  check(change: VersionChange): RuleOutcome | undefined;
}

/** Display names. */
export const COMPONENT_NAMES: Record<UpgradeComponent, string> = {
  clearml: 'ClearML Server',
  elasticsearch: 'Elasticsearch',
  mongo: 'MongoDB',
  redis: 'Redis',
};

/** MongoDB release series in upgrade order: 4.x counts minors, 5.0 and later count majors. */
function mongoSeries(r: Release): string {
  return r.major >= 5 ? `${r.major}.0` : `${r.major}.${r.minor}`;
}
const OLD_MONGO_SERIES = ['3.6', '4.0', '4.2', '4.4'];
function mongoSeriesIndex(r: Release): number {
  return r.major >= 5 ? OLD_MONGO_SERIES.length + r.major - 5 : Math.max(0, OLD_MONGO_SERIES.indexOf(mongoSeries(r)));
}
function mongoSeriesAt(index: number): string {
  return index < OLD_MONGO_SERIES.length ? OLD_MONGO_SERIES[index] : `${index - OLD_MONGO_SERIES.length + 5}.0`;
}

/** Patch releases ClearML's own docker-compose files pinned (facts sheet §3); other series name their line. */
const MONGO_PATCH: Record<string, string> = { '4.4': '4.4.29', '5.0': '5.0.26', '6.0': '6.0.19', '7.0': '7.0.22', '8.0': '8.0.15' };

/**
 * The ClearML Server release whose apiserver raises MongoDB's feature compatibility version to a series
 * on its own at start (when the binary is that series and the FCV the one before). Source:
 * clearml-server `apiserver/mongo/initialize/migration.py` (`_ensure_mongodb_version`, setting
 * `apiserver.mongo.ensure_db_version_on_startup`), 1.17, 2.0 and 2.2/2.3. Whether 2.4 does 8.0 is unconfirmed.
 */
const CLEARML_RAISES_FCV: Record<string, string> = { '5.0': '1.17.0', '6.0': '2.0.0', '7.0': '2.2.0' };

const FCV_CHECK = 'kubectl -n <namespace> exec <mongo> -- mongosh --quiet --eval \'db.adminCommand({getParameter: 1, featureCompatibilityVersion: 1}).featureCompatibilityVersion.version\'';
function fcvSet(series: string): string {
  const confirm = Number(series.split('.')[0]) >= 7 ? ', confirm: true' : '';
  return `kubectl -n <namespace> exec <mongo> -- mongosh --quiet --eval 'db.adminCommand({setFeatureCompatibilityVersion: "${series}"${confirm}})'`;
}

/** Elasticsearch: the minor a move to `major` must start from (`targetMinor` decides for 9: 9.0 needs 8.18, 9.1+ 8.19). */
function elasticsearchRequiredMinor(major: number, targetMinor: number): string | undefined {
  if (major === 7) return '6.8';
  if (major === 8) return '7.17';
  if (major === 9) return targetMinor === 0 ? '8.18' : '8.19';
  return undefined;
}

/** Patch releases of those minors that ClearML's docker-compose files pinned (facts sheet §3). */
const ELASTICSEARCH_PATCH: Record<string, string> = { '7.17': '7.17.18', '8.19': '8.19.9' };

const downgrade = (c: VersionChange, component: UpgradeComponent): { from: Release; to: Release } | undefined => {
  const from = c.from[component];
  const to = c.to[component];
  return from && to && compareReleases(to, from) < 0 ? { from, to } : undefined;
};
const pair = (c: VersionChange, component: UpgradeComponent): { from: Release; to: Release } | undefined => {
  const from = c.from[component];
  const to = c.to[component];
  return from && to && compareReleases(to, from) > 0 ? { from, to } : undefined;
};

/** Major data-store upgrades happen with the servers stopped, as ClearML's own instructions do (compose down). */
const STOP_SERVERS = 'Stop the ClearML servers so nothing writes while the data store restarts on a new release series: kubectl -n <namespace> scale deployment <name>-apiserver <name>-async-delete <name>-fileserver --replicas=0 (the apply scales them back).';

const RESTORE_OLD = 'Keep the version you run. To go back, restore a backup taken before the upgrade into a fresh installation of the old version (`clearml-restore`, docs/backup.md).';

/** A ClearML Server release that moved a data store in a way only ClearML's manual procedure migrates. */
function manualMigration(id: string, release: string, moved: string, procedure: string, page: string): UpgradeRule {
  const previous = parseRelease(release)!;
  return {
    id,
    component: 'clearml',
    when: `from below ${previous.major}.${previous.minor} to ${previous.major}.${previous.minor} or newer`,
    action: `Run ClearML's ${procedure} (${page}) by hand first.`,
    source: `clear.ml docs, deploying_clearml/${page}`,
    check: (c) => {
      const p = pair(c, 'clearml');
      return p && below(p.from, release) && atLeast(p.to, release)
        ? { message: `ClearML Server ${p.from.text} -> ${p.to.text} crosses ${release}, which moved ${moved}`, blocking: true, before: [`Migrate with ClearML's ${procedure} procedure (clear.ml docs: ${page}) before deploying this version.`] }
        : undefined;
    },
  };
}

/** The table. Order matters only for the order of the steps the diff prints. */
export const UPGRADE_RULES: readonly UpgradeRule[] = [
  // Source: clearml-server apiserver/mongo/initialize/migration.py: schema migrations run once at start and
  // are recorded in the `versions` collection; an older apiserver never undoes them (facts sheet §2, §3).
  {
    id: 'clearml-downgrade',
    component: 'clearml',
    when: 'ClearML Server goes to an older release',
    action: 'Refused in place: the apiserver migrated the database schema on start and an older one cannot read it. Restore a backup taken before the upgrade.',
    source: 'clearml-server `apiserver/mongo/initialize/migration.py` (one-way migrations recorded in `versions`)',
    check: (c) => {
      const d = downgrade(c, 'clearml');
      return d && { message: `ClearML Server ${d.from.text} -> ${d.to.text} is a downgrade: the database schema was migrated by ${d.from.text}`, blocking: true, before: [RESTORE_OLD] };
    },
  },
  // Source: clear.ml docs "Upgrading Server from v0.15 or Older" (clearml_server_es7_migration.md): v0.16 moved
  // Elasticsearch 5.6 -> 7.6 and needs the migration script.
  manualMigration('clearml-es7-migration', '0.16.0', 'Elasticsearch 5 to 7', 'Elasticsearch 7 migration', 'clearml_server_es7_migration'),
  // Source: clear.ml docs clearml_server_mongo44_migration.md: servers up to 1.1 run MongoDB 3.6 and need a
  // manual dump/restore with FCV raised 4.0 -> 4.2 -> 4.4 before 1.2.
  manualMigration('clearml-mongo44-migration', '1.2.0', 'MongoDB 3.6 to 4.4', 'MongoDB 4.4 migration', 'clearml_server_mongo44_migration'),
  // Source: clear.ml docs, release notes of ClearML Server 2.0.0 ("if your current version is older than v1.17
  // ... first upgrade to v1.17") and clearml-server upgrade/1_17_to_2_0/docker-compose.yml (allegroai/clearml:1.17.1-554,
  // mongo 5.0.26, elasticsearch 8.15.3); skipping it makes MongoDB exit with code 62 (clearml-server#267).
  {
    id: 'clearml-via-1.17',
    component: 'clearml',
    when: 'from below 1.17 to 2.0 or newer',
    action: 'Deploy 1.17.1 with its data-store versions (MongoDB 5.0.26, Elasticsearch 8.15.3) first, let the apiserver start once, then the target.',
    source: 'clear.ml docs, ClearML Server 2.0.0 release notes; clearml-server `upgrade/1_17_to_2_0/docker-compose.yml`',
    check: (c) => {
      const p = pair(c, 'clearml');
      return p && below(p.from, '1.17.0') && atLeast(p.to, '2.0.0')
        ? {
          message: `ClearML Server ${p.from.text} -> ${p.to.text} skips 1.17, the release every 2.x upgrade must start from`,
          blocking: true,
          via: { clearml: '1.17.1', mongo: '5.0.26', elasticsearch: '8.15.3' },
          before: ['Releases before 2.1.0 are published as allegroai/clearml (1.17.1 as allegroai/clearml:1.17.1-554): set images.clearml to it for the 1.17.1 step, and remove it afterwards.'],
          after: ['Wait until the apiserver is ready and its log shows the MongoDB migrations finished before the next step.'],
        }
        : undefined;
    },
  },
  // Source: Elastic docs "Upgrade Elasticsearch" / "Rolling upgrades": no downgrade; restore a snapshot taken
  // before the upgrade into the old version (facts sheet §3).
  {
    id: 'elasticsearch-downgrade',
    component: 'elasticsearch',
    when: 'Elasticsearch goes to an older release',
    action: 'Refused in place: a node never starts on data written by a newer release. Restore a snapshot taken before the upgrade.',
    source: 'Elastic docs, "Upgrade Elasticsearch" (no downgrade)',
    check: (c) => {
      const d = downgrade(c, 'elasticsearch');
      return d && { message: `Elasticsearch ${d.from.text} -> ${d.to.text} is a downgrade: ${d.to.text} cannot open data written by ${d.from.text}`, blocking: true, before: [RESTORE_OLD] };
    },
  },
  // Source: Elastic docs "Prepare to upgrade" and "Rolling upgrades": 8.x needs 7.17 first; 9.0 needs the
  // latest 8.18; 9.1 and later need 8.19.
  {
    id: 'elasticsearch-required-minor',
    component: 'elasticsearch',
    when: 'a major upgrade that does not start from the required minor (7.17 → 8; 8.18 → 9.0; 8.19 → 9.1+)',
    action: 'Upgrade to the latest patch of the required minor first, wait for green, then the target.',
    source: 'Elastic docs, "Prepare to upgrade" and "Rolling upgrades"',
    check: (c) => {
      const p = pair(c, 'elasticsearch');
      if (!p || p.to.major === p.from.major) return undefined;
      const nextMajor = p.from.major + 1;
      // The minor the next major needs; for a jump past it, the next major's own required minor.
      const required = elasticsearchRequiredMinor(nextMajor, nextMajor === p.to.major ? p.to.minor : 1);
      let step: string | undefined;
      if (required && below(p.from, `${required}.0`)) step = required;
      else if (p.to.major > nextMajor) step = elasticsearchRequiredMinor(nextMajor + 1, nextMajor + 1 === p.to.major ? p.to.minor : 1);
      if (!step) return undefined;
      return {
        message: `Elasticsearch ${p.from.text} -> ${p.to.text} skips ${step}, the release a major upgrade must start from`,
        blocking: true,
        via: { elasticsearch: ELASTICSEARCH_PATCH[step] ?? step },
        after: ['Wait for cluster health green: kubectl -n <namespace> exec <elasticsearch> -- curl -s \'localhost:9200/_cluster/health?wait_for_status=green&timeout=5m\'.'],
      };
    },
  },
  // Source: Elastic docs "Rolling upgrades" / "Prepare to upgrade" (deprecation API, index compatibility):
  // a major upgrade is one-way; 9.x cannot open indices created in 7.x (facts sheet §3).
  {
    id: 'elasticsearch-major',
    component: 'elasticsearch',
    when: 'a major upgrade from the required minor',
    action: 'Take a snapshot, check the deprecation API (for 9: reindex or drop indices created in 7.x), then apply.',
    source: 'Elastic docs, "Prepare to upgrade" (GET _migration/deprecations, index.version.created)',
    check: (c) => {
      const p = pair(c, 'elasticsearch');
      if (!p || p.to.major === p.from.major) return undefined;
      return {
        message: `Elasticsearch ${p.from.text} -> ${p.to.text} is a major upgrade: one-way, data written afterwards cannot go back`,
        blocking: false,
        before: [
          STOP_SERVERS,
          'Check for blockers: kubectl -n <namespace> exec <elasticsearch> -- curl -s localhost:9200/_migration/deprecations?pretty; resolve every "critical" item.',
          ...(p.to.major >= 9 ? ['Indices created by Elasticsearch 7 cannot be opened by 9: list them (GET _all/_settings/index.version.created) and reindex or delete them first.'] : []),
        ],
      };
    },
  },
  // Source: MongoDB manual "Downgrade 7.0 to 6.0": since 7.0 the Community edition has no binary downgrade;
  // older series need the FCV lowered first. Either way: restore a dump taken before (facts sheet §3).
  {
    id: 'mongo-downgrade',
    component: 'mongo',
    when: 'MongoDB goes to an older release',
    action: 'Refused in place: restore a dump taken before the upgrade into the old version.',
    source: 'MongoDB manual, "Downgrade 7.0 to 6.0" (no Community binary downgrade since 7.0)',
    check: (c) => {
      const d = downgrade(c, 'mongo');
      if (!d) return undefined;
      const sameSeries = mongoSeries(d.from) === mongoSeries(d.to);
      return {
        message: sameSeries
          ? `MongoDB ${d.from.text} -> ${d.to.text} is a patch downgrade: allowed by MongoDB within a series, but check its release notes`
          : `MongoDB ${d.from.text} -> ${d.to.text} is a downgrade across series: mongod refuses data files with a newer feature compatibility version`,
        blocking: !sameSeries,
        before: sameSeries ? ['Take a backup first; read the release notes of both patches.'] : [RESTORE_OLD],
      };
    },
  },
  // Source: MongoDB manual "Upgrade a Replica Set to 8.0" (and every earlier upgrade page): one series at a
  // time, with the FCV at the old series before new binaries, then raised.
  {
    id: 'mongo-one-series',
    component: 'mongo',
    when: 'a jump of more than one release series (e.g. 6.0 → 8.0)',
    action: 'Upgrade one series at a time, raising the feature compatibility version after each.',
    source: 'MongoDB manual, "Upgrade a Replica Set to 8.0" (upgrade from the previous series only)',
    check: (c) => {
      const p = pair(c, 'mongo');
      if (!p) return undefined;
      const gap = mongoSeriesIndex(p.to) - mongoSeriesIndex(p.from);
      if (gap <= 1) return undefined;
      const next = mongoSeriesAt(mongoSeriesIndex(p.from) + 1);
      return {
        message: `MongoDB ${p.from.text} -> ${p.to.text} skips ${gap - 1} release series; mongod ${mongoSeries(p.to)} refuses data files of ${mongoSeries(p.from)}`,
        blocking: true,
        via: { mongo: MONGO_PATCH[next] ?? next },
      };
    },
  },
  // Source: MongoDB manual, setFeatureCompatibilityVersion and "Upgrade ... to 8.0": new binaries need the FCV
  // of the previous series; afterwards raise it (since 7.0 with confirm: true). ClearML's apiserver does the
  // raise itself for some pairs (CLEARML_RAISES_FCV above).
  {
    id: 'mongo-fcv',
    component: 'mongo',
    when: 'an upgrade to the next release series',
    action: 'Check the feature compatibility version equals the old series before, raise it to the new series after (unless the ClearML release does).',
    source: 'MongoDB manual, setFeatureCompatibilityVersion; clearml-server `mongo/initialize/migration.py`',
    check: (c) => {
      const p = pair(c, 'mongo');
      if (!p || mongoSeriesIndex(p.to) - mongoSeriesIndex(p.from) !== 1) return undefined;
      const oldSeries = mongoSeries(p.from);
      const newSeries = mongoSeries(p.to);
      const raiser = CLEARML_RAISES_FCV[newSeries];
      const server = c.to.clearml ?? c.from.clearml;
      const automatic = raiser !== undefined && server !== undefined && atLeast(server, raiser);
      return {
        message: `MongoDB ${p.from.text} -> ${p.to.text} changes the release series: needs feature compatibility version "${oldSeries}" first`
          + (automatic ? `; ClearML Server ${server!.text} raises it to "${newSeries}" on start` : `; raise it to "${newSeries}" after`),
        blocking: false,
        before: [`Check the feature compatibility version is "${oldSeries}": ${FCV_CHECK}. If it is lower, raise it first: ${fcvSet(oldSeries)}.`, STOP_SERVERS],
        after: automatic
          ? [`Check the apiserver raised the feature compatibility version to "${newSeries}" (same command); if not, run ${fcvSet(newSeries)}.`]
          : [`Raise the feature compatibility version: ${fcvSet(newSeries)}.`],
      };
    },
  },
  // Source: clearml-server issue #273: Redis refuses an RDB file written by a newer Redis.
  {
    id: 'redis-downgrade',
    component: 'redis',
    when: 'Redis goes to an older release',
    action: 'Redis refuses its newer dump.rdb: keep the version, or delete dump.rdb (Redis holds only volatile state, docs/backup.md).',
    source: 'clearml-server issue #273',
    check: (c) => {
      const d = downgrade(c, 'redis');
      return d && d.from.major !== d.to.major
        ? {
          message: `Redis ${d.from.text} -> ${d.to.text} is a downgrade: it cannot load the dump.rdb written by ${d.from.text}`,
          blocking: false,
          before: ['Scale Redis to 0, delete dump.rdb from its volume (workers re-register, logged-out sessions may come back until they expire), then apply.'],
        }
        : undefined;
    },
  },
];

/** One rule that applies to a change. */
export interface Finding {
  readonly rule: UpgradeRule;
  readonly outcome: RuleOutcome;
}

/** Every rule that applies to a change, in table order. */
export function checkUpgrade(change: VersionChange): Finding[] {
  return UPGRADE_RULES.flatMap((rule) => {
    const outcome = rule.check(change);
    return outcome ? [{ rule, outcome }] : [];
  });
}

/** One deployment of the path: the versions to set, and the steps around the apply. */
export interface UpgradeHop {
  readonly versions: ReleaseSet;
  readonly before: readonly string[];
  readonly after: readonly string[];
}

/** The ordered plan of a change. */
export interface UpgradePlan {
  readonly findings: readonly Finding[];
  /** Deployments in order (the last is the target), or none when a blocking rule has no known path. */
  readonly hops: readonly UpgradeHop[];
  /** Blocking findings without a path: the change cannot be made by the library. */
  readonly refused: readonly Finding[];
}

/** Versions with a component replaced by the release of a text. */
function withVersions(base: ReleaseSet, via: Partial<Record<UpgradeComponent, string>>): ReleaseSet {
  const out: Record<string, Release | undefined> = { ...base };
  for (const [k, v] of Object.entries(via)) out[k] = parseRelease(v);
  return out as ReleaseSet;
}

function sameSet(a: ReleaseSet, b: ReleaseSet): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<UpgradeComponent>;
  return [...keys].every((k) => a[k]?.text === b[k]?.text);
}

/** The path from one version set to another, through every rule's intermediate versions. */
export function planUpgrade(from: ReleaseSet, to: ReleaseSet): UpgradePlan {
  const findings = checkUpgrade({ from, to });
  const hops: UpgradeHop[] = [];
  const refused: Finding[] = [];
  const walk = (cur: ReleaseSet, target: ReleaseSet, depth: number): ReleaseSet => {
    const found = checkUpgrade({ from: cur, to: target });
    const blocking = found.filter((f) => f.outcome.blocking);
    const noPath = blocking.filter((f) => !f.outcome.via);
    if (noPath.length > 0 || depth > 8) {
      refused.push(...noPath);
      return cur;
    }
    if (blocking.length > 0) {
      const via = Object.assign({}, ...blocking.map((f) => f.outcome.via));
      const hop = withVersions(cur, via);
      if (!sameSet(hop, cur) && !sameSet(hop, target)) {
        const reached = walk(cur, hop, depth + 1);
        if (refused.length > 0) return reached;
        return walk(reached, target, depth + 1);
      }
    }
    hops.push({
      versions: target,
      before: found.flatMap((f) => f.outcome.before ?? []),
      after: found.flatMap((f) => f.outcome.after ?? []),
    });
    return target;
  };
  walk(from, to, 0);
  return { findings, hops: refused.length ? [] : hops, refused };
}

/** The first step of every upgrade without the backup option. */
export const MANUAL_BACKUP_STEP = 'Take a backup: turn on the backup option and run it (docs/backup.md), or follow docs/backup.md#without-the-backup-option.';

/** The first step of every upgrade. */
export const BACKUP_STEP = 'Take a backup and check it completed: kubectl -n <namespace> create job --from=cronjob/<name>-backup <name>-backup-before-upgrade, then kubectl -n <namespace> wait --for=condition=complete --timeout=2h job/<name>-backup-before-upgrade (docs/backup.md).';

/** The plan as numbered lines for people: backup, then each deployment with its steps. */
export function planSteps(plan: UpgradePlan, from: ReleaseSet, backupStep: string = BACKUP_STEP): string[] {
  if (plan.refused.length > 0) {
    return [
      ...plan.refused.flatMap((f) => [...(f.outcome.before ?? [])]),
      'Do not apply this change.',
    ];
  }
  const lines: string[] = [backupStep];
  let cur = from;
  for (const hop of plan.hops) {
    const changes = (Object.keys(COMPONENT_NAMES) as UpgradeComponent[])
      .filter((k) => hop.versions[k] && hop.versions[k]!.text !== cur[k]?.text)
      .map((k) => `versions.${k}: "${hop.versions[k]!.text}"`);
    lines.push(...hop.before);
    // Servers scaled by hand own their replicas field: only a forced server-side apply takes it back.
    const scaled = hop.before.some((l) => /kubectl .*scale /.test(l));
    lines.push(`Set ${changes.join(', ') || 'the versions'} and apply (npm run synth, then ${applyCommand()}${scaled ? ' --force-conflicts' : ''}); wait until every pod is ready.`);
    lines.push(...hop.after);
    cur = hop.versions;
  }
  return lines.map((l, i) => `${i + 1}. ${l}`);
}

/** Fills the placeholders of rule texts: `<namespace>`, `<name>`, `<mongo>`, `<elasticsearch>` (workloads for kubectl exec). */
export function fillPlaceholders(text: string, values: { namespace: string; name: string; mongo?: string; elasticsearch?: string }): string {
  return text
    .replace(/<mongo>/g, values.mongo ?? `deploy/${values.name}-mongo`)
    .replace(/<elasticsearch>/g, values.elasticsearch ?? `deploy/${values.name}-elasticsearch`)
    .replace(/<namespace>/g, values.namespace)
    .replace(/<name>/g, values.name);
}
