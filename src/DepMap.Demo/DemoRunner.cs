using System.Diagnostics;
using System.Globalization;

namespace DepMap.Demo;

/// <summary>What a run sent, per system; when the change happened (null when it did not); whether all was delivered.</summary>
public sealed record DemoTotals(IReadOnlyDictionary<string, (long Traces, long Spans)> Sent, DateTimeOffset? ChangedAt, bool Delivered);

/// <summary>
/// Runs the simulated systems: each sends its traces at its rate, timed as they happen, through
/// the real OpenTelemetry SDK to <see cref="DemoSettings.Endpoint"/>, until the duration is over or
/// the token is cancelled. Every report interval one line says what was sent, and one line says
/// when the mid-run change happens.
/// </summary>
public static class DemoRunner
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(10);

    /// <param name="settings">What to send, where, and for how long.</param>
    /// <param name="report">Receives the lines that say what was sent.</param>
    /// <param name="cancellationToken">Stops the run; what was sent so far is delivered.</param>
    /// <param name="backlogSent">
    /// Called once the <see cref="DemoSettings.Backlog"/> has been delivered (or not, when it is 0),
    /// with the number of traces in it, before the live traffic starts: a server with a demo
    /// aggregates it there and then.
    /// </param>
    public static async Task<DemoTotals> RunAsync(DemoSettings settings, Action<string> report, CancellationToken cancellationToken,
        Func<long, CancellationToken, Task>? backlogSent = null)
    {
        var systems = DemoSystems.Named(settings.System)
            ?? throw new ArgumentException($"unknown system '{settings.System}'; use {string.Join(", ", DemoSettings.Systems)}", nameof(settings));
        var runs = systems.Select((system, i) => new SystemRun(system, new TracePlanner(system, settings.Seed + i),
            settings.TracesPerSecond ?? system.DefaultRate)).ToList();
        using var emitter = new SpanEmitter(systems.SelectMany(s => s.Services.Values), settings.Endpoint, settings.Protocol);
        report($"sending {string.Join(" and ", runs.Select(r => $"{r.System.Name} ({r.System.Services.Count} services, {r.Rate:0.#} traces/s)"))} "
            + $"to {SpanEmitter.ExporterEndpoint(settings.Endpoint, settings.Protocol)} over {Name(settings.Protocol)}"
            + (settings.Duration is { } d ? $" for {d}" : " until stopped (Ctrl+C)"));

        if (settings.Backlog > 0)
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var run in runs)
            {
                run.SendBacklog(emitter, settings.Backlog, now);
            }
            var backlogDelivered = emitter.Flush(FlushTimeout);
            report($"sent a backlog of {string.Join(" and ", runs.Select(r => $"{r.System.Name} {r.Traces:N0} traces ({r.Spans:N0} spans)"))} at once"
                + (backlogDelivered ? "" : $"; some spans could not be delivered within {FlushTimeout.TotalSeconds:0} s"));
            foreach (var run in runs)
            {
                run.TakeInterval();
            }
        }
        if (backlogSent is not null)
        {
            await backlogSent(settings.Backlog > 0 ? runs.Sum(r => (long)r.Traces) : 0, cancellationToken);
        }

        var clock = Stopwatch.StartNew();
        var nextReport = settings.ReportInterval;
        DateTimeOffset? changedAt = null;
        using var timer = new PeriodicTimer(Tick);
        try
        {
            while (settings.Duration is not { } limit || clock.Elapsed < limit)
            {
                await timer.WaitForNextTickAsync(cancellationToken);
                var elapsed = settings.Duration is { } max && clock.Elapsed > max ? max : clock.Elapsed;
                foreach (var run in runs)
                {
                    if (!run.Planner.Changed && run.System.Change is { } change && elapsed >= settings.ChangeAfter)
                    {
                        run.Planner.Changed = true;
                        changedAt = DateTimeOffset.UtcNow;
                        report($"{Clock(elapsed)}  change: {run.System.Name}: {change}");
                    }
                    run.SendDue(emitter, elapsed);
                }
                if (elapsed >= nextReport)
                {
                    report(Line(elapsed, runs));
                    nextReport += settings.ReportInterval;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped: report and deliver what was sent so far.
        }
        if (runs.Any(r => r.IntervalTraces > 0))
        {
            report(Line(clock.Elapsed, runs));
        }
        var delivered = emitter.Flush(FlushTimeout);
        report($"sent {string.Join(", ", runs.Select(r => $"{r.System.Name} {r.Traces:N0} traces ({r.Spans:N0} spans)"))}"
            + (delivered ? "" : $"; some spans could not be delivered within {FlushTimeout.TotalSeconds:0} s"));
        return new DemoTotals(runs.ToDictionary(r => r.System.Name, r => (r.Traces, r.Spans)), changedAt, delivered);
    }

    private static string Line(TimeSpan elapsed, IEnumerable<SystemRun> runs) =>
        $"{Clock(elapsed)}  " + string.Join("  ", runs.Select(r => r.TakeInterval()));

    private static string Clock(TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)elapsed.TotalMinutes:00}:{elapsed.Seconds:00}");

    private static string Name(OpenTelemetry.Exporter.OtlpExportProtocol protocol) =>
        protocol == OpenTelemetry.Exporter.OtlpExportProtocol.Grpc ? "OTLP/gRPC" : "OTLP/HTTP (protobuf)";

    private sealed class SystemRun(SimSystem system, TracePlanner planner, double rate)
    {
        public SimSystem System { get; } = system;
        public TracePlanner Planner { get; } = planner;
        public double Rate { get; } = rate;
        public long Traces { get; private set; }
        public long Spans { get; private set; }
        public long IntervalTraces { get; private set; }
        private long _scheduled;
        private long _intervalSpans;
        private long _intervalFailed;

        /// <summary>Sends the traces due by <paramref name="elapsed"/>; after a stall, at most a second's worth at once.</summary>
        public void SendDue(SpanEmitter emitter, TimeSpan elapsed)
        {
            var due = (long)(Rate * elapsed.TotalSeconds);
            _scheduled = Math.Max(_scheduled, due - (long)Math.Ceiling(Rate));
            for (; _scheduled < due; _scheduled++)
            {
                Traces++;
                var trace = Planner.NextTrace();
                var spans = emitter.Emit(trace, DateTimeOffset.UtcNow);
                Spans += spans;
                _intervalSpans += spans;
                IntervalTraces++;
                _intervalFailed += trace.Failed ? 1 : 0;
            }
        }

        /// <summary>Sends <paramref name="count"/> traces ending as if at <see cref="Rate"/> up to <paramref name="now"/>.</summary>
        public void SendBacklog(SpanEmitter emitter, int count, DateTimeOffset now)
        {
            for (var i = 0; i < count; i++)
            {
                Traces++;
                var trace = Planner.NextTrace();
                var spans = emitter.Emit(trace, now.AddSeconds(-(count - i) / Rate));
                Spans += spans;
                _intervalSpans += spans;
                IntervalTraces++;
                _intervalFailed += trace.Failed ? 1 : 0;
            }
        }

        public string TakeInterval()
        {
            var text = $"{System.Name}: {IntervalTraces:N0} traces, {_intervalSpans:N0} spans, {_intervalFailed:N0} failed";
            IntervalTraces = 0;
            _intervalSpans = 0;
            _intervalFailed = 0;
            return text;
        }
    }
}
