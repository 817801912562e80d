/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": "ts-jest" },
  // Pulumi programs register resources asynchronously; one worker per core keeps runs predictable.
  maxWorkers: 2,
  testTimeout: 30000,
  // The SDK's function-serialization dependencies (see the stub), loaded for nothing in every file.
  moduleNameMapper: {
    "^@npmcli/arborist$": "<rootDir>/test/support/sdkSerializationStub.cjs",
    "^\\.\\./\\.\\./typescript-shim$": "<rootDir>/test/support/sdkSerializationStub.cjs",
  },
};
