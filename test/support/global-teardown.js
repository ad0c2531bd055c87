// Jest global teardown: removes the private temp dir of global-setup.js, and fails the run when a test left
// something in it (a mkdtemp without cleanup, or cdk8s's Testing.app(), which makes an outdir per call:
// use testApp() of test/support/synth.ts instead).
const fs = require('fs');

module.exports = async () => {
  const dir = process.env.CLEARML_TEST_TMPDIR;
  if (!dir) return;
  const left = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  fs.rmSync(dir, { recursive: true, force: true });
  process.env.TMPDIR = process.env.CLEARML_TEST_SYSTEM_TMPDIR;
  if (left.length > 0) {
    throw new Error(`tests left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in the temp dir (removed now): ${left.slice(0, 10).join(', ')}`);
  }
};
