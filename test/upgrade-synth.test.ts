/**
 * Synth knows the previous versions when it replaces manifests: the default app warns about every
 * version change the upgrade rules flag, with the ordered steps, and still writes the manifests.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_VERSIONS } from '../lib';
import { upgradeWarnings } from '../lib/app/upgrade-check';
import { runDefaultApp } from './support/app-run';

const ROOT = path.resolve(__dirname, '..');
let dir = '';
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upgrade-synth-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `npm run synth` (without npm's start-up) of a configuration into `dir/out`. */
function synth(config: string) {
  fs.writeFileSync(path.join(dir, 'clearml.yaml'), config);
  return spawnSync(process.execPath, ['-r', './scripts/register-ts.js', 'main.ts'], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, CLEARML_CONFIG: path.join(dir, 'clearml.yaml'), CDK8S_OUTDIR: path.join(dir, 'out') },
  });
}
/** Synthesizes a configuration into `dir/<outdir>` in this process, as the default app does. */
function synthInProcess(config: string, outdir: string): string {
  fs.writeFileSync(path.join(dir, `${outdir}.yaml`), config);
  const run = runDefaultApp(path.join(dir, `${outdir}.yaml`), path.join(dir, outdir));
  if (run.status !== 0) throw new Error(`the configuration is refused:\n${run.stderr}`);
  return path.join(dir, outdir);
}
/** The last good dist/ in `dir/out`, as an earlier synth of this configuration left it. */
const previousSynth = (config: string) => synthInProcess(config, 'out');
/** What synth warns when this configuration replaces `dir/out` (its check, in this process). */
const warningsFor = (config: string) => upgradeWarnings(path.join(dir, 'out'), synthInProcess(config, 'next')).join('\n');
const versions = (v: Record<string, string>) => `versions:\n${Object.entries(v).map(([k, x]) => `  ${k}: "${x}"\n`).join('')}`;
const V23 = { clearml: '2.3.0', elasticsearch: '8.17.0', mongo: '7.0.22', redis: '7.4.1' };

test('moving the default from 2.3.0 warns with the MongoDB feature compatibility steps, and writes the manifests', () => {
  previousSynth(versions(V23));
  const r = synth('');
  expect(r.status).toBe(0);
  expect(r.stderr).toContain(`warning: upgrade path: Deployment clearml/clearml-mongo: mongo:7.0.22 -> mongo:${DEFAULT_VERSIONS.mongo}`);
  expect(r.stderr).toMatch(/Steps, in order:\n {2}1\. Take a backup/);
  expect(r.stderr).toMatch(/setFeatureCompatibilityVersion: "8\.0"/);
  expect(fs.readFileSync(path.join(dir, 'out', 'clearml.yaml'), 'utf8')).toContain(`image: mongo:${DEFAULT_VERSIONS.mongo}`);
});

// The command itself ran above; the same check in this process names the other cases.
test('a downgrade is named as refused', () => {
  previousSynth('');
  const warnings = warningsFor(versions(V23));
  expect(warnings).toContain(`clearml-mongo: mongo:${DEFAULT_VERSIONS.mongo} -> mongo:7.0.22`);
  expect(warnings).toContain('Refused:');
});

test('no warning when the versions stay, or on the first synth', () => {
  expect(warningsFor('')).toBe('');
  previousSynth('');
  expect(warningsFor('namespace: clearml\n')).toBe('');
});
