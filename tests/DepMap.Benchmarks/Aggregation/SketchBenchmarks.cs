using BenchmarkDotNet.Attributes;
using DepMap.Core.Statistics;

namespace DepMap.Benchmarks.Aggregation;

/// <summary>
/// Writing a busy hour's latency sketch, per filled bucket: what a rebuild does for every edge,
/// node and operation of every hour row it rewrites (about 17 times an hour at 25,000 spans a
/// batch), and the busiest method of its profile.
/// </summary>
[MemoryDiagnoser]
public class SketchBenchmarks
{
    private readonly LatencySketch _hour = new();

    [GlobalSetup]
    public void Setup()
    {
        // An hour of one edge: 20,000 calls, log-normal around 20 ms (as the load generator's).
        var random = new Random(42);
        for (var i = 0; i < 20_000; i++)
        {
            var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            _hour.Add((long)(20e6 * Math.Exp(gaussian)));
        }
    }

    [Benchmark]
    public int Serialize() => _hour.Serialize().Length;
}
