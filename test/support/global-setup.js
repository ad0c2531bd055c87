// Jest global setup, run once before the workers start (they inherit its environment).
// - Temp dirs: every temporary directory the tests (and the commands they run) make goes into one private
//   directory, so nothing is left behind in the system temp dir; see global-teardown.js.
// - python3: the interpreter `python3` resolves to, found once (test/support/python.ts): a version
//   manager's shim (pyenv's is a bash script) costs a shell start on each of the suite's Python runs.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

function python3() {
  const r = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  const executable = r.status === 0 ? r.stdout.trim() : '';
  return executable && fs.existsSync(executable) ? executable : 'python3';
}

module.exports = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-clearml-jest-'));
  process.env.CLEARML_TEST_TMPDIR = dir;
  process.env.CLEARML_TEST_SYSTEM_TMPDIR = os.tmpdir();
  process.env.TMPDIR = dir;
  process.env.CLEARML_TEST_PYTHON ??= python3();
};
