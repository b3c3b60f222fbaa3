// The facade: `import Kiln` gives the DSL and the types it returns (graphs, tensor values,
// executables, optimization options and reports, errors) without importing the lower modules one
// by one.
@_exported import KilnIR
@_exported import KilnPasses
@_exported import KilnRuntime
