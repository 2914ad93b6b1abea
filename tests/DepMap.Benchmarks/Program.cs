using BenchmarkDotNet.Running;

// `dotnet run -c Release --project tests/DepMap.Benchmarks -- --filter '*'` runs every benchmark;
// see docs/benchmarks.md for the figures and the machine they were taken on.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
