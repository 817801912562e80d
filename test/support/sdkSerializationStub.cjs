// Stands in for TypeScript and npm's Arborist inside jest. @pulumi/pulumi loads both eagerly, only to
// serialize JavaScript functions into cloud functions (closures), which this program never does;
// in every test file they cost half a second. Anything that reaches for them fails loudly.
module.exports = new Proxy(
  {},
  {
    get(_target, key) {
      if (key === "__esModule" || typeof key === "symbol") return undefined;
      throw new Error(`function serialization (${String(key)}) is not available in unit tests`);
    },
  },
);
