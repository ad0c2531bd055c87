#!/usr/bin/env node
// Times `cdk8s synth` of the default app (the command behind `npm run synth`) and the test suite, and
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

function time(label, command, commandArgs, count) {
  const seconds = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'pipe', env: { ...process.env, CI: 'true' } });
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
  const synth = time('synth (cdk8s synth, default app)', bin('cdk8s'), ['synth', '--check-upgrade=false', '--output', out], runs);
  if (synth > 1.5) console.log('warning: synth median is above the 1.5 s target');
  if (withTests) time('test (jest, whole suite)', bin('jest'), ['--ci', '--silent'], Math.max(3, Math.ceil(runs / 3)));
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
