/**
 * Synth's own look at an upgrade: before the default app swaps its new manifests in, it compares the
 * versions they run with those of the manifests it replaces, and names every change the upgrade rules
 * flag (a downgrade, a skipped release, a feature compatibility step) with the ordered steps, as the
 * review diff does. It only warns: the manifests are written either way, and `clearml-diff` exits 2.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadManifestDir } from '../diff/manifest-diff';
import { versionChangeFlags } from '../upgrade/manifest-versions';

const IMAGE_LINE = /^\s*(?:- )?image: .*$/gm;

/** The image lines of every manifest file in `dir`: when they are equal, no version changed. */
function imageLines(dir: string): string {
  if (!fs.existsSync(dir)) return '';
  return fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').match(IMAGE_LINE) ?? []).sort().join('\n');
}

/** The warnings for the version changes from the manifests in `previousDir` to those in `nextDir`. */
export function upgradeWarnings(previousDir: string, nextDir: string): string[] {
  const before = imageLines(previousDir);
  if (before === '' || before === imageLines(nextDir)) return [];
  return versionChangeFlags(loadManifestDir(previousDir), loadManifestDir(nextDir)).map((f) => [
    `warning: upgrade path: ${f.object.kind} ${f.object.metadata.namespace}/${f.object.metadata.name}: ${f.before} -> ${f.after}: ${f.reason}`,
    ...(f.steps ?? []).map((s) => `  ${s}`),
  ].join('\n'));
}
