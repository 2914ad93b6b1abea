using System.Globalization;

namespace DepMap.LoadTest;

internal sealed record Args(
    LoadFormat Format, Uri Url, int Services, int BatchSpans, int Connections, int Seconds, string? Database, int Rate,
    int? ServerPid, int BaselineSeconds, bool ReportOnly, int WarmupSeconds)
{
    public static Args Parse(string[] args)
    {
        string? Value(string name, string? fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        int Number(string name, int fallback) => int.Parse(Value(name, null) ?? fallback.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

        var format = LoadFormats.Parse(Value("--format", "otlp-protobuf")!);
        var url = Value("--url", format.DefaultUrl())!;
        var pid = Value("--server-pid", null);
        return new Args(
            format,
            new Uri(url.EndsWith('/') ? url : url + "/"),
            Number("--services", 50),
            Math.Clamp(Number("--batch", 512), 1, 100_000),
            Math.Clamp(Number("--connections", 8), 1, 2000),
            Math.Clamp(Number("--seconds", 10), 1, 120),
            Value("--db", null),
            Number("--rate", 0),
            pid is null ? null : int.Parse(pid, CultureInfo.InvariantCulture),
            Math.Clamp(Number("--sqlite-baseline", 0), 0, 30),
            args.Contains("--report"),
            Math.Clamp(Number("--warmup", 0), 0, 60));
    }
}
