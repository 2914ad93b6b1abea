using BenchmarkDotNet.Running;
using DepMap.Benchmarks.Aggregation;
using DepMap.Benchmarks.Rendering;

// `dotnet run -c Release --project tests/DepMap.Benchmarks -- --filter '*'` runs every benchmark;
// `-- aggregate-sqlite 1000000 [--spread-hours 24] [--ring 500]` times one flush aggregation of a million stored spans end to end,
// (`--spans-cache DIR` keeps the appended spans there and copies them on the next run instead of appending),
// then the graph reads and GET /graph.json from the real server (the built src/DepMap.Server) on the bench's database,
// after one warm-up request per window or `--warm-up-requests N`; `--batch N` sets the flush's spans a batch (`Aggregation:SpanBatchSize`, else the store's own);
// `-- aggregate-postgres …` the same on the PostgreSQL server named by DEPMAP_TEST_POSTGRES;
// `-- breakdown [repetitions]` times FullRun's parts one by one; `-- loop full|delta 150` repeats one for dotnet-trace;
// `-- render [--sizes 50,500,2000] [--topology layered,ring] [--runs 3] [--nslimit off|10]` times /graph.svg cold and warm.
// `--filter '*Conformance*'` checks a 2,000-entity catalog against a 2,000-service graph.
// See docs/benchmarks.md for the figures and the machine they were taken on.
if (args is ["aggregate-sqlite", ..])
{
    string? Option(string name) => Array.IndexOf(args, name) is > 0 and var i && i + 1 < args.Length ? args[i + 1] : null;
    var invariant = System.Globalization.CultureInfo.InvariantCulture;
    return await SqliteAggregationRun.RunAsync(
        args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[1], invariant) : 1_000_000,
        Option("--spread-hours") is { } hours ? double.Parse(hours, invariant) : 0,
        Option("--ring") is { } ring ? int.Parse(ring, invariant) : 0,
        windowReads: !args.Contains("--no-window-reads"),
        warmUpRequests: Option("--warm-up-requests") is { } warmUps ? int.Parse(warmUps, invariant) : 1,
        spansCache: Option("--spans-cache"),
        batchSize: Option("--batch") is { } batch ? int.Parse(batch, invariant) : null);
}
if (args is ["aggregate-postgres", ..])
{
    string? Option(string name) => Array.IndexOf(args, name) is > 0 and var i && i + 1 < args.Length ? args[i + 1] : null;
    var invariant = System.Globalization.CultureInfo.InvariantCulture;
    return await PostgreSqlAggregationRun.RunAsync(
        args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[1], invariant) : 1_000_000,
        Option("--spread-hours") is { } hours ? double.Parse(hours, invariant) : 0,
        Option("--ring") is { } ring ? int.Parse(ring, invariant) : 0,
        windowReads: !args.Contains("--no-window-reads"),
        warmUpRequests: Option("--warm-up-requests") is { } warmUps ? int.Parse(warmUps, invariant) : 1,
        batchSize: Option("--batch") is { } batch ? int.Parse(batch, invariant) : null);
}
if (args is ["breakdown", ..])
{
    Breakdown.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20);
    return 0;
}
if (args is ["loop", var part, var repetitions])
{
    Breakdown.Loop(part, int.Parse(repetitions, System.Globalization.CultureInfo.InvariantCulture));
    return 0;
}
if (args is ["render", ..])
{
    await RenderBenchmark.RunAsync(args[1..]);
    return 0;
}
BenchmarkSwitcher.FromAssembly(typeof(AggregationBenchmarks).Assembly).Run(args);
return 0;
