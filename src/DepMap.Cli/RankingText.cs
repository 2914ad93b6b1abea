using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CsvHelper;
using DepMap.Core.Reliability;

namespace DepMap.Cli;

/// <summary>A ranking as an aligned table, as JSON or as CSV.</summary>
internal static class RankingText
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>One line per service: rank, name, score, health band and the explanation.</summary>
    public static string Table(IReadOnlyList<RankedService> ranking)
    {
        var width = ranking.Select(entry => entry.Service.Length).Append("SERVICE".Length).Max();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{"RANK",4}  {"SERVICE".PadRight(width)}  {"SCORE",6}  {"HEALTH",-8}  EXPLANATION\n");
        for (var i = 0; i < ranking.Count; i++)
        {
            var entry = ranking[i];
            text.Append(CultureInfo.InvariantCulture,
                $"{i + 1,4}  {entry.Service.PadRight(width)}  {entry.Score,6:0.00}  {Health(entry.Health),-8}  {entry.Explanation}\n");
        }
        return text.ToString();
    }

    public static string Json(IReadOnlyList<RankedService> ranking) => JsonSerializer.Serialize(ranking, JsonOptions) + "\n";

    /// <summary>
    /// RFC 4180 CSV, one row per service with the score, health, every numeric factor and the
    /// explanation. Service names are user input, so a name a spreadsheet would run as a formula is
    /// escaped (OWASP's CSV injection advice).
    /// </summary>
    public static string Csv(IReadOnlyList<RankedService> ranking)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, new CsvWriterOptions { Injection = CsvInjection.Escape }, leaveOpen: true))
        {
            csv.WriteRecord(
            [
                "service", "score", "health", "requests", "originatedErrors", "passedOnErrors", "originatedErrorRate",
                "originatedErrorRateLower", "originatedErrorRateUpper", "errorFactor", "p99LatencyMs", "latencyFactor",
                "selfTimeShare", "blastRadius", "trafficShare", "reachFactor", "explanation",
            ]);
            foreach (var entry in ranking)
            {
                var factors = entry.Factors;
                csv.WriteRecord(
                [
                    entry.Service,
                    Number(entry.Score),
                    Health(entry.Health),
                    Number(factors.Requests),
                    Number(factors.OriginatedErrors),
                    Number(factors.PassedOnErrors),
                    Number(factors.OriginatedErrorRate),
                    Number(factors.OriginatedErrorRateLower),
                    Number(factors.OriginatedErrorRateUpper),
                    Number(factors.ErrorFactor),
                    factors.P99LatencyNano is { } p99 ? Number(p99 / 1e6) : "",
                    Number(factors.LatencyFactor),
                    Number(factors.SelfTimeShare),
                    Number(factors.BlastRadius),
                    Number(factors.TrafficShare),
                    Number(factors.ReachFactor),
                    entry.Explanation,
                ]);
            }
        }
        return text.ToString();
    }

    private static string Number(double value) => Math.Round(value, 6).ToString(CultureInfo.InvariantCulture);

    private static string Health(ServiceHealth health) => health switch
    {
        ServiceHealth.Failing => "failing",
        ServiceHealth.Degraded => "degraded",
        _ => "healthy",
    };
}
