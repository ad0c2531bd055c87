// Jest transform for the TypeScript sources: sucrase strips the types (as `npm run synth` does), which is
// many times faster than ts-jest; type errors are the type-check's job (`npm run typecheck`, CI).
const crypto = require('crypto');
const { transform } = require('sucrase');
const { version } = require('sucrase/package.json');

const OPTIONS = { transforms: ['typescript', 'imports'], production: true };

module.exports = {
  process(source, filePath) {
    const { code, sourceMap } = transform(source, { ...OPTIONS, filePath, sourceMapOptions: { compiledFilename: filePath } });
    return { code, map: sourceMap };
  },
  getCacheKey(source, filePath) {
    return crypto.createHash('sha1').update(`sucrase ${version} ${JSON.stringify(OPTIONS)}\0${filePath}\0${source}`).digest('hex');
  },
};
