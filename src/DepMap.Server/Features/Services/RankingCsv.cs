using CsvHelper;
using DepMap.Core.Reliability;

namespace DepMap.Server.Features.Services;

/// <summary>
/// <c>/services/ranking.csv</c>: one RFC 4180 row per service, least reliable first, every factor
/// in its own column. Service names come from spans anyone can send, and a name starting with
/// <c>=</c>, <c>+</c>, <c>-</c> or <c>@</c> is a formula to a spreadsheet, so such fields are escaped.
/// </summary>
internal static class RankingCsv
{
    private const string Fraction = "0.######";

    private static readonly string[] Header =
    [
        "rank", "service", "score", "health", "requests", "originated_errors", "passed_on_errors",
        "originated_error_rate", "originated_error_rate_lower", "originated_error_rate_upper", "error_factor",
        "p99_latency_ms", "latency_factor", "self_time_share", "blast_radius", "traffic_share", "reach_factor",
        "entry_points", "explanation",
    ];

    public static byte[] Write(IReadOnlyList<RankedService> ranking)
    {
        using var stream = new MemoryStream();
        using (var csv = CsvWriter.Create(stream, new CsvWriterOptions { Injection = CsvInjection.Escape }, leaveOpen: true))
        {
            csv.WriteHeader(Header);
            for (var i = 0; i < ranking.Count; i++)
            {
                var (service, factors) = (ranking[i], ranking[i].Factors);
                csv.WriteField(i + 1, "");
                csv.WriteField(service.Service);
                csv.WriteField(service.Score, "0.###");
                csv.WriteField(service.Health.ToString().ToLowerInvariant());
                csv.WriteField(factors.Requests, "");
                csv.WriteField(factors.OriginatedErrors, "");
                csv.WriteField(factors.PassedOnErrors, "");
                csv.WriteField(factors.OriginatedErrorRate, Fraction);
                csv.WriteField(factors.OriginatedErrorRateLower, Fraction);
                csv.WriteField(factors.OriginatedErrorRateUpper, Fraction);
                csv.WriteField(factors.ErrorFactor, Fraction);
                csv.WriteField(factors.P99LatencyNano / 1e6, "0.###");
                csv.WriteField(factors.LatencyFactor, Fraction);
                csv.WriteField(factors.SelfTimeShare, Fraction);
                csv.WriteField(factors.BlastRadius, "");
                csv.WriteField(factors.TrafficShare, Fraction);
                csv.WriteField(factors.ReachFactor, Fraction);
                csv.WriteField(string.Join(' ', factors.EntryPoints));
                csv.WriteField(service.Explanation);
                csv.EndRecord();
            }
        }
        return stream.ToArray();
    }
}
