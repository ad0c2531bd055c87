// Jest global setup: every temporary directory the tests (and the commands they run) make goes into one
// private directory, so nothing is left behind in the system temp dir; see temp-teardown.js.
const fs = require('fs');
const os = require('os');
const path = require('path');

module.exports = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-clearml-jest-'));
  process.env.CLEARML_TEST_TMPDIR = dir;
  process.env.CLEARML_TEST_SYSTEM_TMPDIR = os.tmpdir();
  process.env.TMPDIR = dir;
};
