#!/usr/bin/env node
// Times the project's commands against their targets, with the kustomize render of the seed manifests
// (the official ClearML kustomize deployment) as the yardstick in the same run: each line also gives the
// ratio to it, which stays comparable when other work loads the machine. Medians of several runs.
//
//   npm run bench                   # synth (npm run synth, cdk8s synth) and the test suite
//   npm run bench -- --runs 9       # more runs of each
//   npm run bench -- --no-tests     # synth only
//   npm run bench -- --ci           # also .ci/run (it runs `npm ci`: node_modules is reinstalled)
//   npm run bench -- --seed <dir>   # the kustomize overlay to render (default: the seed's current_version)
//
// The yardstick needs kustomize: `kustomize build`, else `kubectl kustomize` (kubectl embeds it); without
// either the ratios are left out and the line says so.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const runs = Number(option('--runs')) || 7;
const withTests = !args.includes('--no-tests');
const withCi = args.includes('--ci');
// The reference copy of the seed is a `shared/` folder beside the checkout (or beside a parent of it).
const SEED_OVERLAY = path.join('shared', 'reference', 'clearml-server-k8s', 'overlays', 'current_version');
function findSeed() {
  for (let dir = path.dirname(root); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, SEED_OVERLAY))) return path.join(dir, SEED_OVERLAY);
    if (path.dirname(dir) === dir) return path.join(path.dirname(root), SEED_OVERLAY);
  }
}
const seed = option('--seed') ?? findSeed();
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

// Runs through sh, whose `times` then prints the CPU time of the command and every process under it:
// unlike the wall-clock time, it hardly grows when other work loads the machine.
const TIMED = '"$@"; status=$?; times >&2; exit $status';
const seconds = (t) => Number(t.replace(/^(\d+)m([\d.]+)s$/, (_, m, sec) => String(Number(m) * 60 + Number(sec))));

function time(command, commandArgs, count, extraEnv = {}) {
  const walls = [];
  const cpus = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync('sh', ['-c', TIMED, 'sh', command, ...commandArgs], { cwd: root, stdio: 'pipe', env: { ...process.env, CI: 'true', ...extraEnv } });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 0) {
      process.stderr.write(`${result.stdout}${result.stderr}`);
      throw new Error(`${command} ${commandArgs.join(' ')} failed`);
    }
    const children = result.stderr.toString().trim().split('\n').pop().trim().split(/\s+/);
    cpus.push(seconds(children[0]) + seconds(children[1]));
    walls.push(elapsed);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { median: median(walls), min: Math.min(...walls), max: Math.max(...walls), cpu: median(cpus), count };
}

function which(name) {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The kustomize render of the seed: [command, args], or undefined when there is no kustomize or no seed. */
function yardstickCommand() {
  if (!fs.existsSync(path.join(seed, 'kustomization.yaml'))) return undefined;
  const kustomize = which('kustomize');
  if (kustomize) return [kustomize, ['build', seed]];
  const kubectl = which('kubectl');
  return kubectl ? [kubectl, ['kustomize', seed]] : undefined;
}

let yardstick;
function report(label, t, target) {
  const ratio = yardstick ? ` = ${(t.median / yardstick.median).toFixed(1)}x the kustomize render` : '';
  const verdict = target === undefined ? '' : t.median <= target ? `  [target <= ${target} s: met]` : `  [target <= ${target} s: MISSED]`;
  const cores = os.cpus().length;
  const cpu = `; CPU ${t.cpu.toFixed(2)} s (user+sys of all its processes: ${(t.cpu / cores).toFixed(2)} s of wall time at best on ${cores} idle cores)`;
  console.log(`${label}: median ${t.median.toFixed(3)} s over ${t.count} runs (min ${t.min.toFixed(3)}, max ${t.max.toFixed(3)})${ratio}${cpu}${verdict}`);
}

const load = () => os.loadavg()[0].toFixed(2);
console.log(`${os.cpus().length} CPUs, load average ${load()} at the start`);
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'clearml-bench-'));
try {
  const ys = yardstickCommand();
  if (ys) {
    yardstick = time(ys[0], ys[1], runs);
    report(`yardstick: ${path.basename(ys[0])} ${ys[1].join(' ')}`, yardstick);
  } else {
    console.log(`yardstick: no kustomize (nor kubectl) on PATH, or no overlay at ${seed}: ratios left out`);
  }
  // The same command lines as package.json's `synth` and cdk8s.yaml's app; one warm-up run fills the
  // transpile cache (scripts/register-ts.js) as a developer's first run does.
  const synth = ['-r', './scripts/register-ts.js', 'main.ts'];
  time(process.execPath, synth, 1, { CDK8S_OUTDIR: path.join(out, 'warm') });
  report('npm run synth (the default app, without npm\'s own start-up)', time(process.execPath, synth, runs, { CDK8S_OUTDIR: path.join(out, 'synth') }), 0.4);
  report('cdk8s synth --check-upgrade=false (the stock CLI)', time(bin('cdk8s'), ['synth', '--check-upgrade=false', '--output', path.join(out, 'cli')], runs), 1.2);
  if (withTests) report('npm test (jest, whole suite)', time('npm', ['test', '--silent', '--', '--ci', '--silent'], Math.max(1, Math.ceil(runs / 3))), 20);
  if (withCi) report('.ci/run (npm ci, freshness checks, type-check, tests)', time('bash', ['.ci/run'], 1), 60);
  console.log(`load average ${load()} at the end (other work on the machine inflates every line; compare the ratios)`);
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
