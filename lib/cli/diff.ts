#!/usr/bin/env node
// `clearml-diff`: the review diff of lib/diff/manifest-diff.ts (what applying a change would do, object by
// object), for this repository (`npm run diff`) and for any cdk8s project that installs the package.
import { main } from '../diff/manifest-diff';

process.exitCode = main(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s));
