// The facade: `import Kiln` gives the DSL and the types it returns (graphs, tensor values,
// executables, optimization options and reports, cost and profile reports, errors) without
// importing the lower modules one by one.
@_exported import KilnAnalysis
@_exported import KilnIR
@_exported import KilnPasses
@_exported import KilnRuntime
@_exported import enum KilnCodegen.StandaloneBLAS
@_exported import struct KilnCodegen.StandaloneProgram
