using DepMap.Ingest;
using DepMap.Rendering;
using Prometheus;

namespace DepMap.Server.Features.Metrics;

/// <summary>
/// DepMap's own metrics (docs/metrics.md). Each is touched once per request, commit, run or render,
/// never per span: ingest takes 300,000 spans/s, and a labelled child is looked up once here.
/// Gauges that are read from storage (lag, waiting traces) are set by <see cref="MetricsSetup"/>
/// right before each scrape.
/// </summary>
internal sealed class DepMapMetrics
{
    private static readonly TraceFormat[] Formats = Enum.GetValues<TraceFormat>();

    private readonly Counter.Child[] _received;
    private readonly Counter _refusedSpans;
    private readonly Counter _refusedPayloads;
    private readonly Histogram _commit;
    private readonly Histogram _runs;
    private readonly Counter _runFailures;
    private readonly Counter _linkedTraces;
    private readonly Histogram _renders;
    private readonly Counter _fallbacks;
    private readonly Counter _snapshots;
    private readonly Counter _truncatedNames;

    public DepMapMetrics(CollectorRegistry registry)
    {
        Registry = registry;
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        var received = factory.CreateCounter("depmap_ingest_spans_received_total",
            "Spans committed to storage (acknowledged), by wire protocol", ["protocol"]);
        _received = Array.ConvertAll(Formats, format => received.WithLabels(Protocol(format)));
        _refusedSpans = factory.CreateCounter("depmap_ingest_spans_refused_total",
            "Decoded spans not stored, by wire protocol and reason (invalid_span, queue_full, unavailable)", ["protocol", "reason"]);
        _refusedPayloads = factory.CreateCounter("depmap_ingest_payloads_refused_total",
            "Request bodies refused before any span was read from them, by wire protocol and reason", ["protocol", "reason"]);
        _truncatedNames = factory.CreateCounter("depmap_ingest_names_truncated_total",
            $"Names (service, peer, database, destination) longer than {Core.Spans.Span.MaxNameLength} characters cut to that length at ingest, by wire protocol", ["protocol"]);
        QueueDepth = factory.CreateGauge("depmap_ingest_queue_spans", "Spans queued for the span writer or in its transaction now");
        _commit = factory.CreateHistogram("depmap_ingest_commit_seconds", "Time of one group commit of the span writer (every request waiting on it is answered after it)",
            new HistogramConfiguration { Buckets = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5] });
        AggregationLag = factory.CreateGauge("depmap_aggregation_lag_seconds",
            "Age of the oldest span not yet linked: the first span past the aggregation's mark, or the last arrival of a trace still waiting to settle; 0 when none");
        SqliteMemory = factory.CreateGauge("depmap_sqlite_memory_bytes",
            "Memory SQLite's own allocator holds now, every connection of the process (page caches, sorters, statements): the part of the resident memory that is SQLite's");
        GcCommitted = factory.CreateGauge("depmap_gc_committed_bytes",
            "Memory the .NET garbage collector holds committed now: its heap and the free room it keeps for the next allocations; beside dotnet_total_memory_bytes (the live objects), the part of the resident memory that is the GC's");
        // Read back from the collector, not from DepMap's settings: what the runtime actually uses,
        // so a runtime configuration that did not reach the process shows here.
        var collector = GC.GetConfigurationVariables();
        double Collector(string name) =>
            collector.TryGetValue(name, out var value) ? Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        factory.CreateGauge("depmap_gc_dynamic_adaptation",
            "1 when the .NET garbage collector adapts its heaps to the application's size (DATAS), the server's default; 0 when it runs the server collector's classic heaps (DOTNET_GCDynamicAdaptationMode=0, for a large rebuild)")
            .Set(Collector("GCDynamicAdaptationMode"));
        factory.CreateGauge("depmap_gc_gen0_max_budget_bytes",
            "The most a heap of the garbage collector lets the youngest generation take before it collects: the collector's own choice (200 MiB on a 2-core machine), or DOTNET_GCGen0MaxBudget")
            .Set(Collector("GCGen0MaxBudget"));
        TracesWaiting = factory.CreateGauge("depmap_aggregation_traces_waiting", "Traces taken in by the aggregation but not linked yet: incomplete, and a span arrived within their grace");
        _runs = factory.CreateHistogram("depmap_aggregation_run_seconds", "Run time of one aggregation run, by kind (recurring or flush)", ["kind"],
            new HistogramConfiguration { Buckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });
        _runFailures = factory.CreateCounter("depmap_aggregation_run_failures_total", "Aggregation runs that ended with an error, by kind", ["kind"]);
        _linkedTraces = factory.CreateCounter("depmap_aggregation_traces_linked_total", "Traces linked (or re-linked after a late span) by committed batches");
        _renders = factory.CreateHistogram("depmap_render_seconds", "Time to draw one SVG with Graphviz, by the layout that drew it (dot, sfdp, busiest_edges, placeholder)", ["layout"],
            new HistogramConfiguration { Buckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20] });
        _fallbacks = factory.CreateCounter("depmap_render_fallbacks_total", "SVGs drawn by a fallback layout instead of dot, by layout", ["layout"]);
        _snapshots = factory.CreateCounter("depmap_snapshots_total", "Snapshots taken, by outcome (changed, same_topology, failed)", ["outcome"]);
    }

    public CollectorRegistry Registry { get; }

    public Gauge QueueDepth { get; }

    public Gauge SqliteMemory { get; }

    public Gauge GcCommitted { get; }

    public Gauge AggregationLag { get; }

    public Gauge TracesWaiting { get; }

    public void SpansReceived(TraceFormat format, int spans) => _received[(int)format].Inc(spans);

    public void SpansRefused(TraceFormat format, string reason, int spans)
    {
        if (spans > 0)
        {
            _refusedSpans.WithLabels(Protocol(format), reason).Inc(spans);
        }
    }

    public void NamesTruncated(TraceFormat format, int names) => _truncatedNames.WithLabels(Protocol(format)).Inc(names);

    public void PayloadRefused(TraceFormat format, string reason) => _refusedPayloads.WithLabels(Protocol(format), reason).Inc();

    public void Committed(TimeSpan elapsed) => _commit.Observe(elapsed.TotalSeconds);

    public void AggregationRun(bool flush, TimeSpan elapsed, long tracesLinked)
    {
        _runs.WithLabels(flush ? "flush" : "recurring").Observe(elapsed.TotalSeconds);
        _linkedTraces.Inc(tracesLinked);
    }

    public void AggregationFailed(bool flush) => _runFailures.WithLabels(flush ? "flush" : "recurring").Inc();

    public void Rendered(GraphLayout layout, TimeSpan elapsed)
    {
        var name = Layout(layout);
        _renders.WithLabels(name).Observe(elapsed.TotalSeconds);
        if (layout != GraphLayout.Dot)
        {
            _fallbacks.WithLabels(name).Inc();
        }
    }

    /// <summary>Draws an SVG and records how long it took and which layout drew it.</summary>
    public async Task<RenderedSvg> RenderAsync(Func<Task<RenderedSvg>> render)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var svg = await render();
        Rendered(svg.Layout, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return svg;
    }

    public void Snapshot(string outcome) => _snapshots.WithLabels(outcome).Inc();

    /// <summary>The label value of a wire format; gRPC and HTTP protobuf share the decoder and the label.</summary>
    public static string Protocol(TraceFormat format) => format switch
    {
        TraceFormat.OtlpProtobuf => "otlp_protobuf",
        TraceFormat.OtlpJson => "otlp_json",
        TraceFormat.ZipkinJson => "zipkin",
        _ => "jaeger",
    };

    private static string Layout(GraphLayout layout) => layout switch
    {
        GraphLayout.Dot => "dot",
        GraphLayout.Sfdp => "sfdp",
        GraphLayout.BusiestEdges => "busiest_edges",
        _ => "placeholder",
    };
}
