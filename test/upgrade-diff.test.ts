/**
 * The review diff's upgrade hook (lib/upgrade/manifest-versions.ts): version changes between two
 * synthesized installations are flagged with the rule, exit code 2 and the ordered steps.
 */
import { diffManifests, exitCodeFor, formatMarkdown, formatText } from '../lib/diff/manifest-diff';
import { VersionSet } from '../lib/versions';
import { synthServer } from './support/synth';

const V23: Partial<VersionSet> = { clearml: '2.3.0', elasticsearch: '8.17.0', mongo: '7.0.22', redis: '7.4.1' };
const diff = (from: Partial<VersionSet>, to: Partial<VersionSet>, extra = {}) => diffManifests(synthServer({ versions: from, ...extra }), synthServer({ versions: to, ...extra }));
const upgradeFlags = (from: Partial<VersionSet>, to: Partial<VersionSet>, extra = {}) => diff(from, to, extra).flags.filter((f) => f.category === 'upgrade');

describe('review diff: upgrade paths', () => {
  test('a patch upgrade is a safe change', () => {
    const report = diff(V23, { ...V23, mongo: '7.0.25' });
    expect(report.flags).toEqual([]);
    expect(exitCodeFor(report)).toBe(1);
  });

  test.each([
    ['ClearML Server downgrade', { clearml: '2.2.0' }, 'clearml-downgrade', 'Deployment clearml/clearml-apiserver'],
    ['Elasticsearch downgrade', { elasticsearch: '8.15.3' }, 'elasticsearch-downgrade', 'Deployment clearml/clearml-elasticsearch'],
    ['MongoDB downgrade', { mongo: '6.0.19' }, 'mongo-downgrade', 'Deployment clearml/clearml-mongo'],
    ['MongoDB to the next series (FCV first)', { mongo: '8.0.15' }, 'mongo-fcv', 'Deployment clearml/clearml-mongo'],
    ['Elasticsearch 8 to 9.1 from below 8.19', { elasticsearch: '9.1.0' }, 'elasticsearch-required-minor', 'Deployment clearml/clearml-elasticsearch'],
  ])('%s needs attention (exit 2)', (_, to, rule, object) => {
    const report = diff(V23, { ...V23, ...to });
    expect(exitCodeFor(report)).toBe(2);
    const flag = report.flags.find((f) => f.reason.includes(`rule ${rule}`))!;
    expect(flag.object.display).toBe(object);
    expect(flag.category).toBe('upgrade');
  });

  test('MongoDB 5.0 to 7.0 is refused in place and goes through 6.0', () => {
    const [flag] = upgradeFlags({ ...V23, mongo: '5.0.26' }, V23);
    expect(flag.reason).toMatch(/skips 1 release series.*rule mongo-one-series.*do not apply directly/);
    expect(flag.steps!.join('\n')).toMatch(/versions\.mongo: "6\.0\.19"[\s\S]*versions\.mongo: "7\.0\.22"/);
  });

  test('a ClearML Server jump from 1.16 lists every deployment on the way, with the real workload names', () => {
    const flags = upgradeFlags({ clearml: '1.16.2', mongo: '4.4.29', elasticsearch: '7.17.18', redis: '6.2.6' }, V23, { name: 'ml', namespace: 'mlops', backup: {} });
    expect(flags.map((f) => f.reason.match(/rule ([\w.-]+)/)![1])).toEqual(expect.arrayContaining(['clearml-via-1.17', 'mongo-one-series', 'elasticsearch-major']));
    const steps = flags.find((f) => f.steps)!.steps!.join('\n');
    expect(steps).toMatch(/^Steps, in order:\n1\. Take a backup.*kubectl -n mlops create job --from=cronjob\/ml-backup/);
    expect(steps).toMatch(/versions\.clearml: "1\.17\.1", versions\.elasticsearch: "8\.15\.3", versions\.mongo: "5\.0\.26"/);
    expect(steps).toMatch(/kubectl -n mlops exec deploy\/ml-mongo -- mongosh/);
    expect(steps).not.toMatch(/<namespace>|<name>|<mongo>/);
  });

  test('the exec target is the StatefulSet when the store uses claims', () => {
    const flag = upgradeFlags(V23, { ...V23, clearml: '2.4.0', mongo: '8.0.15' }, { defaultStorage: { type: 'claim' } }).find((f) => f.steps)!;
    expect(flag.steps!.join('\n')).toMatch(/exec statefulset\/clearml-mongo -- mongosh/);
    // Without the backup option the first step points to the manual backup.
    expect(flag.steps![1]).toMatch(/^1\. Take a backup: turn on the backup option.*#without-the-backup-option/);
  });

  test('text and markdown print the steps under the flag', () => {
    const report = diff(V23, { ...V23, mongo: '6.0.19' });
    expect(formatText(report)).toMatch(/\[upgrade path\] spec\.template\.spec\.containers\[name=mongo\]\.image: "mongo:7\.0\.22" -> "mongo:6\.0\.19"\n.*downgrade.*\n\s+Refused:\n\s+Keep the version you run/);
    expect(formatMarkdown(report)).toMatch(/\*\*upgrade path\*\*.*\n\n  Refused:\n\n  Keep the version/);
  });
});
