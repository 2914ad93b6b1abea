using System.CommandLine;
using DepMap.Demo;

namespace DepMap.Cli;

/// <summary>
/// <c>depmap demo</c>: simulated services send spans through the real OpenTelemetry SDK over OTLP
/// to a DepMap (or any OTLP receiver), until stopped or for <c>--duration</c>, printing what they
/// send. Exits 0, or 1 with a message naming a bad option.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var endpoint = DiffCommand.Text("--endpoint",
            "The OTLP endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT (default: that variable, else http://127.0.0.1:4317 for grpc, :4318 for http/protobuf)");
        var protocol = DiffCommand.Text("--protocol", "grpc (default) or http/protobuf (default: OTEL_EXPORTER_OTLP_PROTOCOL, else grpc)");
        var duration = DiffCommand.Text("--duration", "Stop after this long, e.g. 30s, 5m, 1h (default: run until Ctrl+C)");
        var system = DiffCommand.Text("--system", "logistics (the article's two services), thirty (30 services) or all (default)");
        var changeAfter = DiffCommand.Text("--change-after", "When the 30-service system gets a new dependency (cart calls recommendations), e.g. 90s (default 10m)");
        var rate = DiffCommand.Text("--rate", "Traces per second of each system (default: 10 for thirty, 2 for logistics)");
        var seed = DiffCommand.Text("--seed", "The random seed: the same seed sends the same traces (default 42)");
        var command = new Command("demo", "Send simulated services' spans over OTLP to DepMap: the article's logistics example and a 30-service system")
        {
            endpoint, protocol, duration, system, changeAfter, rate, seed,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            DemoSettings settings;
            try
            {
                if (parse.UnmatchedTokens.Count > 0)
                {
                    throw new InputException($"unexpected argument '{parse.UnmatchedTokens[0]}'; see depmap demo --help");
                }
                settings = Read(parse.GetValue(endpoint), parse.GetValue(protocol), parse.GetValue(duration), parse.GetValue(system),
                    parse.GetValue(changeAfter), parse.GetValue(rate), parse.GetValue(seed));
            }
            catch (InputException e)
            {
                await stderr.WriteLineAsync("depmap demo: " + e.Message);
                return ExitCodes.Usage;
            }
            await DemoRunner.RunAsync(settings, line =>
            {
                stdout.WriteLine(line);
                stdout.Flush();
            }, cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static DemoSettings Read(string? endpoint, string? protocol, string? duration, string? system, string? changeAfter,
        string? rate, string? seed)
    {
        protocol ??= Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_PROTOCOL") is { Length: > 0 } fromEnvironment ? fromEnvironment : "grpc";
        if (!DemoSettings.TryParseProtocol(protocol, out var otlpProtocol))
        {
            throw new InputException($"--protocol: '{protocol}' is not grpc or http/protobuf");
        }
        var target = DemoSettings.DefaultEndpoint(otlpProtocol);
        endpoint ??= Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } variable ? variable : null;
        if (endpoint is not null && !DemoSettings.TryParseEndpoint(endpoint, out target))
        {
            throw new InputException($"--endpoint: '{endpoint}' is not an http or https URL such as http://127.0.0.1:4317");
        }
        TimeSpan? limit = null;
        if (duration is not null)
        {
            limit = DemoSettings.TryParseDuration(duration, out var parsed)
                ? parsed
                : throw new InputException($"--duration: '{duration}' is not a duration such as 30s, 5m or 1h");
        }
        var change = TimeSpan.FromMinutes(10);
        if (changeAfter is not null && !DemoSettings.TryParseDuration(changeAfter, out change))
        {
            throw new InputException($"--change-after: '{changeAfter}' is not a duration such as 90s or 10m");
        }
        system ??= "all";
        if (!DemoSettings.IsSystem(system))
        {
            throw new InputException($"--system: '{system}' is not one of {string.Join(", ", DemoSettings.Systems)}");
        }
        double? tracesPerSecond = null;
        if (rate is not null)
        {
            tracesPerSecond = double.TryParse(rate, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var r)
                && r > 0 && r <= 10_000
                ? r
                : throw new InputException($"--rate: '{rate}' is not a number of traces per second above 0 and at most 10000");
        }
        var seedValue = 42;
        if (seed is not null && !int.TryParse(seed, System.Globalization.CultureInfo.InvariantCulture, out seedValue))
        {
            throw new InputException($"--seed: '{seed}' is not a whole number");
        }
        return new DemoSettings
        {
            Endpoint = target,
            Protocol = otlpProtocol,
            Duration = limit,
            System = system,
            ChangeAfter = change,
            TracesPerSecond = tracesPerSecond,
            Seed = seedValue,
        };
    }
}
