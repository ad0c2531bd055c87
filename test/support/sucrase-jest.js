// Jest transform for the TypeScript sources: sucrase strips the types (as `npm run synth` does), which is
// many times faster than ts-jest; type errors are the type-check's job (`npm run typecheck`, CI).
const crypto = require('crypto');
const { transform } = require('sucrase');
const { version } = require('sucrase/package.json');

const OPTIONS = { transforms: ['typescript', 'imports'], production: true };

module.exports = {
  // No source map: sucrase keeps every line where it was, so stack traces already point at the right
  // lines, and jest would otherwise parse a map for each file whose error stack it formats.
  process(source, filePath) {
    return { code: transform(source, { ...OPTIONS, filePath }).code };
  },
  getCacheKey(source, filePath) {
    return crypto.createHash('sha1').update(`sucrase ${version} ${JSON.stringify(OPTIONS)} no-map\0${filePath}\0${source}`).digest('hex');
  },
};
