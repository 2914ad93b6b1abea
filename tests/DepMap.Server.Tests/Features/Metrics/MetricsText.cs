using System.Globalization;

namespace DepMap.Server.Tests.Features.Metrics;

/// <summary>Scrapes <c>/metrics</c> and reads samples from Prometheus' text format.</summary>
internal sealed class MetricsText(string text)
{
    public string Text { get; } = text;

    public static async Task<MetricsText> ScrapeAsync(HttpClient client)
    {
        var response = await client.GetAsync("/metrics");
        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return new MetricsText(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The value of the sample written exactly as <paramref name="series"/> (name and labels), or null when absent.</summary>
    public double? Value(string series)
    {
        foreach (var line in Text.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }
        return null;
    }

    /// <summary>
    /// How much <paramref name="series"/> grew from <paramref name="before"/> to this scrape; a series
    /// not yet written counts from zero (prometheus-net writes a labelled child only once it is used).
    /// </summary>
    public double Increase(MetricsText before, string series) => (Value(series) ?? 0) - (before.Value(series) ?? 0);
}
