#!/usr/bin/env node
// Times the synth of the default app (`npm run synth`, and the same through `cdk8s synth`) and the test suite, and
// prints the median of several runs. Usage: npm run bench [-- --runs N] [-- --no-tests]
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 7;
const withTests = !args.includes('--no-tests');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function time(label, command, commandArgs, count, extraEnv = {}) {
  const seconds = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'pipe', env: { ...process.env, CI: 'true', ...extraEnv } });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 0) {
      process.stderr.write(result.stdout.toString() + result.stderr.toString());
      throw new Error(`${label} failed`);
    }
    seconds.push(elapsed);
  }
  seconds.sort((a, b) => a - b);
  const median = seconds[Math.floor(seconds.length / 2)];
  console.log(`${label}: median ${median.toFixed(3)} s over ${count} runs (min ${seconds[0].toFixed(3)} s, max ${seconds[seconds.length - 1].toFixed(3)} s)`);
  return median;
}

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'clearml-bench-'));
try {
  const synth = time('npm run synth (the default app)', process.execPath, ['-r', 'sucrase/register/ts', 'main.ts'], runs, { CDK8S_OUTDIR: out });
  if (synth > 1.5) console.log('warning: synth median is above the 1.5 s target');
  time('cdk8s synth (the same app through the cdk8s CLI)', bin('cdk8s'), ['synth', '--check-upgrade=false', '--output', out], runs);
  if (withTests) time('test (jest, whole suite)', bin('jest'), ['--ci', '--silent'], Math.max(3, Math.ceil(runs / 3)));
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
