// Jest's order: the files that failed or took longest last time first (from its cache). Without a cache
// (a fresh clone, CI) it goes by file size, which starts the two files that wait longest on commands
// (the packed package and the user's workflow) last and leaves one worker alone at the end: they go first.
const Sequencer = require('@jest/test-sequencer').default;
const path = require('path');

const LONGEST = ['package.test.ts', 'workflow.test.ts'];
const rank = (test) => {
  const i = LONGEST.indexOf(path.basename(test.path));
  return i < 0 ? LONGEST.length : i;
};

class LongestFirst extends Sequencer {
  sort(tests) {
    return super.sort(tests).map((test, i) => ({ test, i })).sort((a, b) => rank(a.test) - rank(b.test) || a.i - b.i).map((e) => e.test);
  }
}

module.exports = LongestFirst;
