/**
 * The python3 the specs run scripts with: the interpreter `python3` on PATH resolves to, found once per
 * run by the global setup (global-setup.js); plain `python3` when the specs run without it.
 */
export const PYTHON = process.env.CLEARML_TEST_PYTHON || 'python3';
