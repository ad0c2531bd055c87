/**
 * Whether a backup may be restored into a server: the upgrade rules (lib/upgrade/rules.ts) read from the
 * backup's versions to the target's, with what a restore changes about each.
 */
import { checkUpgrade, Finding, planSteps, planUpgrade, ReleaseSet } from '../upgrade/rules';

/** How a restore treats each upgrade rule. */
const RESTORE_TREATMENT: Record<string, (f: Finding, backup: ReleaseSet, target: ReleaseSet) => 'refuse' | 'ignore'> = {
  // An older server cannot read a newer schema; older data stores cannot read newer data or snapshots.
  'clearml-downgrade': () => 'refuse',
  'elasticsearch-downgrade': () => 'refuse',
  'mongo-downgrade': (f) => (f.outcome.blocking ? 'refuse' : 'ignore'),
  // The apiserver migrates a restored database forward only from releases ClearML's path allows.
  'clearml-es7-migration': () => 'refuse',
  'clearml-mongo44-migration': () => 'refuse',
  'clearml-via-1.17': () => 'refuse',
  // Elastic restores snapshots of the previous major only (and 9 cannot read indices created by 7).
  'elasticsearch-required-minor': (_, b, t) => (t.elasticsearch!.major - b.elasticsearch!.major > 1 ? 'refuse' : 'ignore'),
  'elasticsearch-major': () => 'ignore',
  // A logical dump restores into a newer series: ClearML's own MongoDB migration does exactly that.
  'mongo-one-series': () => 'ignore',
  'mongo-fcv': () => 'ignore',
  // Redis is not restored (volatile state).
  'redis-downgrade': () => 'ignore',
};

/** What the check found. */
export interface RestoreVerdict {
  /** Rules that make the restore unsafe. */
  readonly refused: readonly Finding[];
  /** When refused: restore into the backup's versions instead, then upgrade with these steps. */
  readonly alternative: readonly string[];
}

/** Checks restoring a backup written by `backup` versions into a server running `target` versions. */
export function checkRestore(backup: ReleaseSet, target: ReleaseSet): RestoreVerdict {
  const refused = checkUpgrade({ from: backup, to: target })
    .filter((f) => (RESTORE_TREATMENT[f.rule.id] ?? (() => 'refuse'))(f, backup, target) === 'refuse');
  if (refused.length === 0) return { refused, alternative: [] };
  const downgrade = refused.some((f) => f.rule.id.endsWith('-downgrade'));
  const alternative = downgrade
    ? ['Restore it into an installation running the backup\'s versions (set versions to them, apply, then run this command again).']
    : [
      'Restore it into an installation running the backup\'s versions (set versions to them, apply, then run this command again), then upgrade:',
      ...planSteps(planUpgrade(backup, target), backup),
    ];
  return { refused, alternative };
}
