// Synth warns (on stderr) when fixed users are off, which is most test configurations; the tests that
// check that warning spy on console.warn themselves.
console.warn = () => undefined;
