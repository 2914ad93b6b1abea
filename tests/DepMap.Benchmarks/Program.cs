using BenchmarkDotNet.Running;
using DepMap.Benchmarks.Rendering;

// `dotnet run -c Release --project tests/DepMap.Benchmarks -- --filter '*'` runs every
// BenchmarkDotNet benchmark; `-- render [--sizes 50,500,2000] [--topology layered,ring] [--runs 3]`
// times /graph.svg cold and warm. docs/benchmarks.md has the figures and the machine.
if (args.Length > 0 && args[0] == "render")
{
    await RenderBenchmark.RunAsync(args[1..]);
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(RenderBenchmark).Assembly).Run(args);
}
