import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runDefaultApp } from './app-run';

function files(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort() : [];
}

/**
 * How the project's `dist/` differs from a fresh synth of its default app with its own configuration
 * (`clearml.yaml` in `root`, or the default deployment when there is none): one line per file that is
 * missing, extra or different; [] when dist/ is fresh. The user's configuration is theirs: the default
 * deployment itself is checked through examples/classic.
 */
export function distDifferences(root: string): string[] {
  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'dist-check-'));
  try {
    const run = runDefaultApp(undefined, fresh, { cwd: root });
    if (run.status !== 0) throw new Error(`the configuration of ${root} is refused:\n${run.stderr}`);
    const dist = path.join(root, 'dist');
    const have = files(dist);
    const want = files(fresh);
    return [
      ...want.filter((f) => !have.includes(f)).map((f) => `dist/${f} is missing`),
      ...have.filter((f) => !want.includes(f)).map((f) => `dist/${f} is not synthesized any more`),
      ...want.filter((f) => have.includes(f) && !fs.readFileSync(path.join(dist, f)).equals(fs.readFileSync(path.join(fresh, f)))).map((f) => `dist/${f} differs from a fresh synth`),
    ];
  } finally {
    fs.rmSync(fresh, { recursive: true, force: true });
  }
}
