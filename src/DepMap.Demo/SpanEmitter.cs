using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DepMap.Demo;

/// <summary>
/// Sends planned spans through the real OpenTelemetry .NET SDK: one TracerProvider per simulated
/// service, with its own <c>service.name</c> and <c>service.namespace</c> resource and its own OTLP
/// exporter, as if each service were its own process. Parents are passed explicitly, never through
/// <see cref="Activity.Current"/>, and times are set from the plan.
/// </summary>
internal sealed class SpanEmitter : IDisposable
{
    private readonly Dictionary<string, ActivitySource> _sources = [];
    private readonly List<TracerProvider> _providers = [];

    public SpanEmitter(IEnumerable<SimService> services, Uri endpoint, OtlpExportProtocol protocol)
    {
        // A provider hears every ActivitySource of its name in the process: a name of this run's
        // own keeps two runs in one process (tests, a server with a demo) from sending each other's spans.
        var run = Guid.NewGuid().ToString("n")[..8];
        var target = ExporterEndpoint(endpoint, protocol);
        foreach (var service in services)
        {
            var name = $"DepMap.Demo.{run}.{service.Name}";
            _sources.Add(service.Name, new ActivitySource(name, "1.0.0"));
            _providers.Add(Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(ResourceBuilder.CreateEmpty()
                    .AddService(service.Name, serviceNamespace: service.Namespace, serviceVersion: "1.0.0")
                    .AddAttributes([new("deployment.environment.name", "demo")]))
                .SetSampler(new AlwaysOnSampler())
                .AddSource(name)
                .AddOtlpExporter(options =>
                {
                    options.Endpoint = target;
                    options.Protocol = protocol;
                    options.ExportProcessorType = ExportProcessorType.Batch;
                    // A second between exports (the SDK waits 5 s), so the map fills quickly.
                    options.BatchExportProcessorOptions = new() { ScheduledDelayMilliseconds = 1000, MaxQueueSize = 16_384, MaxExportBatchSize = 1024 };
                })
                .Build());
        }
    }

    /// <summary>
    /// Where the exporter sends, given an endpoint as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> takes it: gRPC
    /// uses it as is; HTTP appends <c>/v1/traces</c>, as the SDK does for that variable (an endpoint
    /// set in code is used verbatim, so the path is added here).
    /// </summary>
    public static Uri ExporterEndpoint(Uri endpoint, OtlpExportProtocol protocol) =>
        protocol == OtlpExportProtocol.HttpProtobuf && !endpoint.AbsolutePath.EndsWith("/v1/traces", StringComparison.Ordinal)
            ? new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + "/v1/traces")
            : endpoint;

    /// <summary>Emits one trace that ends at <paramref name="end"/>; returns its span count.</summary>
    public int Emit(PlannedSpan root, DateTimeOffset end)
    {
        var spans = root.SelfAndDescendants().ToList();
        var start = end.AddMilliseconds(-spans.Max(s => s.EndMs));
        var previous = Activity.Current;
        // The root must not pick up whatever activity the caller has as its parent.
        Activity.Current = null;
        try
        {
            Emit(root, default, start);
        }
        finally
        {
            Activity.Current = previous;
        }
        return spans.Count;
    }

    /// <summary>Exports what is queued; false when some could not be delivered within the timeout.</summary>
    public bool Flush(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        var all = true;
        foreach (var provider in _providers)
        {
            var left = (int)Math.Max(1, (timeout - deadline.Elapsed).TotalMilliseconds);
            all &= provider.ForceFlush(left);
        }
        return all;
    }

    public void Dispose()
    {
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }
        foreach (var source in _sources.Values)
        {
            source.Dispose();
        }
    }

    private void Emit(PlannedSpan span, ActivityContext parent, DateTimeOffset t0)
    {
        var activity = _sources[span.Service].StartActivity(span.Name, span.Kind, parent, span.Tags, startTime: t0.AddMilliseconds(span.StartMs))
            ?? throw new InvalidOperationException($"no listener for {span.Service}'s spans: its TracerProvider is not sampling them");
        if (span.Failed)
        {
            activity.SetStatus(ActivityStatusCode.Error, span.FailureMessage);
        }
        foreach (var child in span.Children)
        {
            Emit(child, activity.Context, t0);
        }
        activity.SetEndTime(t0.AddMilliseconds(span.EndMs).UtcDateTime);
        activity.Dispose();
    }
}
