// Runs the project's TypeScript in node (`node -r ./scripts/register-ts.js main.ts`) like
// `sucrase/register/ts`, with each file's transpiled code cached on disk under
// node_modules/.cache/cdk8s-clearml-ts/, keyed by a hash of the file's path and content and of the sucrase
// version: an edited source is a new key, so the cache is never stale. Transpiling is about a third of a
// synth's time; a cache hit costs a read and a hash.
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');

const CACHE = path.join(__dirname, '..', 'node_modules', '.cache', 'cdk8s-clearml-ts');
const OPTIONS = { transforms: ['typescript', 'imports'], production: true };
let salt;
let sucrase;

function transpile(source, filename) {
  salt ??= `${require('sucrase/package.json').version} ${JSON.stringify(OPTIONS)}`;
  const key = crypto.createHash('sha1').update(`${salt}\0${filename}\0${source}`).digest('hex');
  const cached = path.join(CACHE, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    sucrase ??= require('sucrase');
    const { code } = sucrase.transform(source, { ...OPTIONS, filePath: filename });
    try {
      // Write then rename, so a concurrent run never reads half a file.
      fs.mkdirSync(CACHE, { recursive: true });
      const tmp = `${cached}.${process.pid}`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, cached);
    } catch {
      // A read-only checkout still runs, uncached.
    }
    return code;
  }
}

Module._extensions['.ts'] = function loadTs(module, filename) {
  module._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
};
