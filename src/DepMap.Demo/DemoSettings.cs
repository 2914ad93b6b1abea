using System.Globalization;
using System.Text.RegularExpressions;
using OpenTelemetry.Exporter;

namespace DepMap.Demo;

/// <summary>What a demo run sends, where, and for how long.</summary>
public sealed partial record DemoSettings
{
    /// <summary>The OTLP endpoint as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> takes it (HTTP gets <c>/v1/traces</c> appended).</summary>
    public required Uri Endpoint { get; init; }

    public OtlpExportProtocol Protocol { get; init; } = OtlpExportProtocol.Grpc;

    /// <summary>How long to run; null runs until cancelled.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary><c>logistics</c>, <c>thirty</c> or <c>all</c>.</summary>
    public string System { get; init; } = "all";

    /// <summary>When the 30-service system's new dependency appears, from the start of the run.</summary>
    public TimeSpan ChangeAfter { get; init; } = TimeSpan.FromMinutes(10);

    public int Seed { get; init; } = 42;

    /// <summary>Traces per second for each system; null: the systems' own rates (30 services 10/s, logistics 2/s).</summary>
    public double? TracesPerSecond { get; init; }

    /// <summary>
    /// Traces per system sent at once before the live traffic, timed as if sent at the system's rate
    /// just before the start (0: none), so a fresh DepMap has a whole map to show at once.
    /// </summary>
    public int Backlog { get; init; }

    /// <summary>How often a line says what was sent.</summary>
    public TimeSpan ReportInterval { get; init; } = TimeSpan.FromSeconds(10);

    public static readonly IReadOnlyList<string> Systems = ["logistics", "thirty", "all"];

    /// <summary>True when <paramref name="name"/> is one of <see cref="Systems"/>.</summary>
    public static bool IsSystem(string name) => DemoSystems.Named(name) is not null;

    /// <summary><c>grpc</c> or <c>http/protobuf</c>, the values of <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>.</summary>
    public static bool TryParseProtocol(string text, out OtlpExportProtocol protocol)
    {
        (var ok, protocol) = text switch
        {
            "grpc" => (true, OtlpExportProtocol.Grpc),
            "http/protobuf" => (true, OtlpExportProtocol.HttpProtobuf),
            _ => (false, default),
        };
        return ok;
    }

    /// <summary>The SDK's default endpoint for a protocol: 4317 for gRPC, 4318 for HTTP.</summary>
    public static Uri DefaultEndpoint(OtlpExportProtocol protocol) =>
        new(protocol == OtlpExportProtocol.Grpc ? "http://127.0.0.1:4317" : "http://127.0.0.1:4318");

    /// <summary>An absolute http or https URL.</summary>
    public static bool TryParseEndpoint(string text, out Uri endpoint)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && !string.IsNullOrEmpty(uri.Host))
        {
            endpoint = uri;
            return true;
        }
        endpoint = null!;
        return false;
    }

    /// <summary>A positive duration: <c>90s</c>, <c>5m</c>, <c>1h30m</c>, <c>1d</c>, or <c>hh:mm:ss</c>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = DurationPattern().Match(text.Trim());
        if (match.Success && match.Length > 0)
        {
            foreach (Capture part in match.Groups["part"].Captures)
            {
                var unitAt = part.Value.IndexOfAny(['d', 'h', 'm', 's']);
                var number = double.Parse(part.Value[..unitAt], CultureInfo.InvariantCulture);
                duration += part.Value[unitAt..] switch
                {
                    "d" => TimeSpan.FromDays(number),
                    "h" => TimeSpan.FromHours(number),
                    "m" => TimeSpan.FromMinutes(number),
                    "ms" => TimeSpan.FromMilliseconds(number),
                    _ => TimeSpan.FromSeconds(number),
                };
            }
        }
        else if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration))
        {
            return false;
        }
        return duration > TimeSpan.Zero && duration < TimeSpan.FromDays(3650);
    }

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?(ms|d|h|m|s))+$")]
    private static partial Regex DurationPattern();
}
