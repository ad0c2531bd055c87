import { checkUpgrade, planSteps, planUpgrade, ReleaseSet, UPGRADE_RULES } from '../lib/upgrade/rules';
import { imageTag, parseRelease } from '../lib/upgrade/version';

const set = (v: Record<string, string>): ReleaseSet => Object.fromEntries(Object.entries(v).map(([k, t]) => [k, parseRelease(t)]));
const ids = (from: Record<string, string>, to: Record<string, string>) => checkUpgrade({ from: set(from), to: set(to) }).map((f) => f.rule.id);
const hopVersions = (from: Record<string, string>, to: Record<string, string>) =>
  planUpgrade(set(from), set(to)).hops.map((h) => Object.fromEntries(Object.entries(h.versions).map(([k, r]) => [k, r!.text])));

describe('versions', () => {
  test('release tags parse; other tags do not', () => {
    expect(parseRelease('7.0.22-jammy')).toMatchObject({ major: 7, minor: 0, patch: 22 });
    expect(parseRelease('8.19')).toMatchObject({ major: 8, minor: 19, patch: 0 });
    expect(parseRelease('latest')).toBeUndefined();
    expect(imageTag('registry.local:5000/library/mongo:7.0.22')).toBe('7.0.22');
    expect(imageTag('registry.local:5000/mongo')).toBeUndefined();
    expect(imageTag('mongo:7.0.22@sha256:abc')).toBe('7.0.22');
  });
});

describe('upgrade rules', () => {
  test('every rule names its source and what to do', () => {
    for (const r of UPGRADE_RULES) {
      expect(r.source.length).toBeGreaterThan(10);
      expect(r.action.length).toBeGreaterThan(10);
    }
    expect(new Set(UPGRADE_RULES.map((r) => r.id)).size).toBe(UPGRADE_RULES.length);
  });

  test('no rule fires for a patch upgrade', () => {
    expect(ids({ clearml: '2.3.0', mongo: '7.0.20', elasticsearch: '8.17.0', redis: '7.4.0' }, { clearml: '2.3.0', mongo: '7.0.22', elasticsearch: '8.19.9', redis: '7.4.1' })).toEqual([]);
  });

  test('downgrades of ClearML Server, Elasticsearch and MongoDB are blocking', () => {
    const found = checkUpgrade({ from: set({ clearml: '2.3.0', elasticsearch: '8.17.0', mongo: '7.0.22' }), to: set({ clearml: '2.2.0', elasticsearch: '8.15.3', mongo: '6.0.19' }) });
    expect(found.map((f) => [f.rule.id, f.outcome.blocking])).toEqual([['clearml-downgrade', true], ['elasticsearch-downgrade', true], ['mongo-downgrade', true]]);
    expect(planUpgrade(set({ clearml: '2.3.0' }), set({ clearml: '2.2.0' })).refused).toHaveLength(1);
  });

  test('a MongoDB patch downgrade within a series needs attention but is not blocking', () => {
    const [f] = checkUpgrade({ from: set({ mongo: '7.0.22' }), to: set({ mongo: '7.0.20' }) });
    expect(f.rule.id).toBe('mongo-downgrade');
    expect(f.outcome.blocking).toBe(false);
  });

  test('MongoDB jumps go one series at a time, with the feature compatibility version', () => {
    expect(ids({ mongo: '5.0.26' }, { mongo: '7.0.22' })).toEqual(['mongo-one-series']);
    expect(hopVersions({ mongo: '5.0.26' }, { mongo: '8.0.15' })).toEqual([{ mongo: '6.0.19' }, { mongo: '7.0.22' }, { mongo: '8.0.15' }]);
    expect(hopVersions({ mongo: '4.2.1' }, { mongo: '5.0.26' })).toEqual([{ mongo: '4.4.29' }, { mongo: '5.0.26' }]);
    expect(ids({ mongo: '7.0.22' }, { mongo: '8.0.15' })).toEqual(['mongo-fcv']);
  });

  test('the FCV step says when ClearML raises it and when the operator must', () => {
    const auto = checkUpgrade({ from: set({ clearml: '2.1.0', mongo: '6.0.19' }), to: set({ clearml: '2.3.0', mongo: '7.0.22' }) })[0];
    expect(auto.outcome.message).toMatch(/ClearML Server 2.3.0 raises it to "7.0"/);
    const manual = checkUpgrade({ from: set({ clearml: '2.3.0', mongo: '7.0.22' }), to: set({ clearml: '2.4.0', mongo: '8.0.15' }) })[0];
    expect(manual.outcome.after!.join()).toMatch(/setFeatureCompatibilityVersion: "8.0", confirm: true/);
    expect(manual.outcome.before!.join()).toMatch(/is "7.0"/);
  });

  test('Elasticsearch majors start from the required minor', () => {
    expect(ids({ elasticsearch: '7.10.2' }, { elasticsearch: '8.17.0' })).toEqual(['elasticsearch-required-minor', 'elasticsearch-major']);
    expect(hopVersions({ elasticsearch: '7.10.2' }, { elasticsearch: '8.17.0' })).toEqual([{ elasticsearch: '7.17.18' }, { elasticsearch: '8.17.0' }]);
    expect(ids({ elasticsearch: '7.17.18' }, { elasticsearch: '8.15.3' })).toEqual(['elasticsearch-major']);
    expect(hopVersions({ elasticsearch: '8.17.0' }, { elasticsearch: '9.0.1' })).toEqual([{ elasticsearch: '8.18' }, { elasticsearch: '9.0.1' }]);
    expect(hopVersions({ elasticsearch: '8.18.3' }, { elasticsearch: '9.1.0' })).toEqual([{ elasticsearch: '8.19.9' }, { elasticsearch: '9.1.0' }]);
    expect(hopVersions({ elasticsearch: '7.17.18' }, { elasticsearch: '9.1.0' })).toEqual([{ elasticsearch: '8.19.9' }, { elasticsearch: '9.1.0' }]);
    expect(ids({ elasticsearch: '8.19.9' }, { elasticsearch: '9.1.0' })).toEqual(['elasticsearch-major']);
  });

  test('ClearML Server below 1.17 goes through 1.17 with its data-store versions', () => {
    const hops = hopVersions({ clearml: '1.16.2', mongo: '4.4.29', elasticsearch: '7.17.18' }, { clearml: '2.3.0', mongo: '7.0.22', elasticsearch: '8.17.0' });
    expect(hops[0]).toEqual({ clearml: '1.17.1', mongo: '5.0.26', elasticsearch: '8.15.3' });
    expect(hops[hops.length - 1]).toEqual({ clearml: '2.3.0', mongo: '7.0.22', elasticsearch: '8.17.0' });
    expect(hops.map((h) => h.mongo)).toEqual(['5.0.26', '6.0.19', '7.0.22']);
  });

  test('old migrations that need ClearML\'s manual procedures are refused with the procedure', () => {
    const plan = planUpgrade(set({ clearml: '1.1.0' }), set({ clearml: '1.16.2' }));
    expect(plan.refused.map((f) => f.rule.id)).toEqual(['clearml-mongo44-migration']);
    expect(planSteps(plan, set({ clearml: '1.1.0' })).join('\n')).toMatch(/mongo44_migration[\s\S]*Do not apply/);
  });

  test('the steps start with a backup, then each deployment in order', () => {
    const from = set({ clearml: '2.3.0', mongo: '7.0.22', elasticsearch: '8.17.0', redis: '7.4.1' });
    const steps = planSteps(planUpgrade(from, set({ clearml: '2.4.0', mongo: '8.0.15', elasticsearch: '8.19.9', redis: '8.2.3' })), from);
    expect(steps[0]).toMatch(/^1\. Take a backup/);
    expect(steps.join('\n')).toMatch(/is "7\.0"[\s\S]*versions\.clearml: "2\.4\.0", versions\.elasticsearch: "8\.19\.9", versions\.mongo: "8\.0\.15", versions\.redis: "8\.2\.3"[\s\S]*"8\.0", confirm: true/);
  });

  test('a Redis major downgrade asks to drop the dump', () => {
    expect(ids({ redis: '8.2.3' }, { redis: '7.4.1' })).toEqual(['redis-downgrade']);
  });
});
