using DepMap.Core.Spans;
using DepMap.Core.Tests.Reliability;

namespace DepMap.Cli.Tests;

/// <summary>
/// docs/examples/thirty-services.zipkin.json: the 30-service system of docs/ranking.md (a fault in
/// the database of the deep <c>ledger</c> service, a slow <c>recommendations</c>), from a fixed seed.
/// </summary>
internal static class ThirtyServiceExample
{
    public const string FileName = "thirty-services.zipkin.json";
    public const int Seed = 42;
    public const int Traces = 500;

    // A fixed start, so the file is the same on every machine and every day.
    private static readonly long Start = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() * 1_000_000;

    public static IEnumerable<Span> Spans(int seed = Seed, int traces = Traces)
    {
        var system = new SyntheticSystem(seed);
        for (var i = 1; i <= traces; i++)
        {
            // One trace a second; the sketch's times are from each trace's own start.
            var offset = Start + (i * 1_000_000_000L);
            foreach (var span in system.NextTrace((ulong)i))
            {
                yield return span with { StartUnixNano = span.StartUnixNano + offset };
            }
        }
    }

    public static string ZipkinJson(int seed = Seed, int traces = Traces) => ZipkinSpanWriter.Write(Spans(seed, traces));
}
