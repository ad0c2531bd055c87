// Keeps jest snapshots in the top-level __snapshots__/ folder, named after the test file.
const path = require('path');

const root = path.join(__dirname, '..');
const snapshotDir = path.join(root, '__snapshots__');

module.exports = {
  resolveSnapshotPath: (testPath, ext) =>
    path.join(snapshotDir, path.relative(path.join(root, 'test'), testPath) + ext),
  resolveTestPath: (snapshotPath, ext) =>
    path.join(root, 'test', path.relative(snapshotDir, snapshotPath).slice(0, -ext.length)),
  testPathForConsistencyCheck: path.join(root, 'test', 'example.test.ts'),
};
