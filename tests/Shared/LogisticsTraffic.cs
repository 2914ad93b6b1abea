using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DepMap.Tests.Shared;

/// <summary>
/// The example of DepMap's docs, sent by the real OpenTelemetry .NET SDK: a <c>logistics</c> service
/// serves <c>GET /shipment/:id</c>, spends 10 ms processing and 30 ms on a SQL select, then calls
/// <c>tracking</c> <c>GET /tracking/:id</c>, which queries its own database. Both services live in
/// this process, each with its own TracerProvider, resource and ActivitySource, exactly as two
/// processes would export them. Times are set explicitly, so every latency is exact.
/// </summary>
public static class LogisticsTraffic
{
    /// <summary>The start of the first trace; trace <c>i</c> starts <c>i</c> seconds later.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Lock SendGate = new();

    public const string LogisticsSource = "DepMap.Example.Logistics";
    public const string TrackingSource = "DepMap.Example.Tracking";

    /// <summary>Span timings within a trace, from the trace's start: (offset, duration) in milliseconds.</summary>
    public static class Timings
    {
        public static readonly (int Start, int Duration) ShipmentServer = (0, 100);
        public static readonly (int Start, int Duration) Processing = (1, 10);
        public static readonly (int Start, int Duration) LogisticsSql = (11, 30);
        public static readonly (int Start, int Duration) TrackingClient = (42, 50);
        public static readonly (int Start, int Duration) TrackingServer = (44, 46);
        public static readonly (int Start, int Duration) TrackingSql = (46, 20);
    }

    /// <summary>
    /// Sends <paramref name="traces"/> traces of six spans each and waits until both providers have
    /// exported them. <paramref name="endpoint"/> is the OTLP base address (as
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>): <c>http://127.0.0.1:4317</c> for gRPC, and for
    /// HTTP/protobuf the base to which <c>/v1/traces</c> is appended. A trace for which
    /// <paramref name="fails"/> is true fails in tracking's database: the tracking SQL span, the
    /// tracking server span and logistics' client span are marked ERROR (HTTP 500).
    /// </summary>
    public static void Send(Uri endpoint, OtlpExportProtocol protocol, int traces = 1, Func<int, bool>? fails = null, DateTimeOffset? start = null)
    {
        // A TracerProvider listens to its sources process-wide: two tests sending at once would
        // each export the other's traces too, so one Send runs at a time.
        lock (SendGate)
        {
            SendOnce(endpoint, protocol, traces, fails, start);
        }
    }

    private static void SendOnce(Uri endpoint, OtlpExportProtocol protocol, int traces, Func<int, bool>? fails, DateTimeOffset? start)
    {
        using var logisticsSource = new ActivitySource(LogisticsSource);
        using var trackingSource = new ActivitySource(TrackingSource);
        using var logistics = Provider("logistics", LogisticsSource, endpoint, protocol);
        using var tracking = Provider("tracking", TrackingSource, endpoint, protocol);
        var previous = Activity.Current;
        try
        {
            for (var i = 0; i < traces; i++)
            {
                EmitTrace(logisticsSource, trackingSource, (start ?? DefaultStart).AddSeconds(i), fails?.Invoke(i) ?? false);
            }
        }
        finally
        {
            Activity.Current = previous;
        }
        if (!logistics.ForceFlush(30_000) || !tracking.ForceFlush(30_000))
        {
            throw new InvalidOperationException($"the OTLP exporter could not deliver the example traces to {endpoint}");
        }
    }

    private static TracerProvider Provider(string service, string source, Uri endpoint, OtlpExportProtocol protocol) =>
        Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service))
            .SetSampler(new AlwaysOnSampler())
            .AddSource(source)
            .AddOtlpExporter(options =>
            {
                // Set in code, the HTTP endpoint is used as is: it must name the traces path itself.
                options.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf
                    ? new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + "/v1/traces")
                    : endpoint;
                options.Protocol = protocol;
                options.ExportProcessorType = ExportProcessorType.Batch;
            })
            .Build();

    private static void EmitTrace(ActivitySource logistics, ActivitySource tracking, DateTimeOffset t0, bool fail)
    {
        // Explicit parents everywhere: Activity.Current must not stitch traces together.
        Activity.Current = null;
        using var server = Start(logistics, "GET /shipment/:id", ActivityKind.Server, default, t0, Timings.ShipmentServer,
            ("http.request.method", "GET"), ("http.route", "/shipment/:id"), ("http.response.status_code", fail ? 500 : 200));
        End(Start(logistics, "logistics processing", ActivityKind.Internal, server.Context, t0, Timings.Processing), t0, Timings.Processing);
        End(Start(logistics, "SQL select", ActivityKind.Client, server.Context, t0, Timings.LogisticsSql,
            ("db.system.name", "postgresql"), ("db.namespace", "logistics-db"), ("db.query.text", "SELECT * FROM shipments WHERE id = $1")),
            t0, Timings.LogisticsSql);
        var client = Start(logistics, "GET /tracking/:id", ActivityKind.Client, server.Context, t0, Timings.TrackingClient,
            ("http.request.method", "GET"), ("peer.service", "tracking"), ("server.address", "tracking"), ("server.port", 8080),
            ("http.response.status_code", fail ? 500 : 200));
        var trackingServer = Start(tracking, "GET /tracking/:id", ActivityKind.Server, client.Context, t0, Timings.TrackingServer,
            ("http.request.method", "GET"), ("http.route", "/tracking/:id"), ("http.response.status_code", fail ? 500 : 200));
        var trackingSql = Start(tracking, "SQL select", ActivityKind.Client, trackingServer.Context, t0, Timings.TrackingSql,
            ("db.system.name", "postgresql"), ("db.namespace", "tracking-db"),
            ("db.query.text", "SELECT * FROM tracking_events WHERE shipment_id = $1"));
        if (fail)
        {
            trackingSql.SetStatus(ActivityStatusCode.Error, "canceling statement due to statement timeout");
            trackingServer.SetStatus(ActivityStatusCode.Error);
            client.SetStatus(ActivityStatusCode.Error);
            server.SetStatus(ActivityStatusCode.Error);
        }
        End(trackingSql, t0, Timings.TrackingSql);
        End(trackingServer, t0, Timings.TrackingServer);
        End(client, t0, Timings.TrackingClient);
        server.SetEndTime((t0 + TimeSpan.FromMilliseconds(Timings.ShipmentServer.Start + Timings.ShipmentServer.Duration)).UtcDateTime);
    }

    private static Activity Start(ActivitySource source, string name, ActivityKind kind, ActivityContext parent, DateTimeOffset t0,
        (int Start, int Duration) timing, params (string Key, object Value)[] tags)
    {
        var activity = source.StartActivity(name, kind, parent, tags.Select(t => new KeyValuePair<string, object?>(t.Key, t.Value)),
            startTime: t0.AddMilliseconds(timing.Start))
            ?? throw new InvalidOperationException($"no listener for {source.Name}: the TracerProvider is not sampling it");
        return activity;
    }

    private static void End(Activity activity, DateTimeOffset t0, (int Start, int Duration) timing)
    {
        activity.SetEndTime(t0.AddMilliseconds(timing.Start + timing.Duration).UtcDateTime);
        activity.Dispose();
    }
}
