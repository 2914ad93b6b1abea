using DepMap.Core.Aggregation;
using DepMap.Core.Linking;
using DepMap.Core.Statistics;
using DepMap.Core.Writers;
using Prometheus;

namespace DepMap.Server.Features.Metrics;

/// <summary>
/// Tempo's service-graph series (names, labels and default buckets of Tempo's metrics generator,
/// modules/generator/processor/servicegraphs), fed with each aggregation batch's change after the
/// batch has committed, so Grafana's service graph and its Tempo data source read DepMap's calls.
/// Counters never go down: a re-link that takes calls out of a series (a late span moved them to
/// another edge) adds nothing there and counts them in <c>depmap_service_graph_retracted_requests_total</c>,
/// so <c>request_total - retracted</c> is exactly the statistics' count (docs/metrics.md).
/// A new series is first exposed at zero and takes its calls only after one scrape has seen the
/// zero: Prometheus' rate() and increase() cannot see a counter's first value as an increase, and
/// every call of an edge's first batch would otherwise be invisible to Grafana.
/// </summary>
internal sealed class ServiceGraphMetrics
{
    private static readonly string[] EdgeLabels = ["client", "server", "connection_type"];

    private readonly Lock _gate = new();
    private readonly Counter _requests;
    private readonly Counter _failed;
    private readonly Histogram _server;
    private readonly Histogram _client;
    private readonly Histogram _messaging;
    private readonly Counter _unpaired;
    private readonly Counter _retracted;
    private readonly Counter _retractedFailed;
    private readonly Dictionary<EdgeKey, Series> _series = [];
    private readonly Dictionary<string, Unpaired> _unpairedSeries = new(StringComparer.Ordinal);
    private readonly List<IWaiting> _waiting = [];
    private long _collects;

    public ServiceGraphMetrics(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        var buckets = new HistogramConfiguration { Buckets = BucketChange.Bounds };
        _requests = factory.CreateCounter("traces_service_graph_request_total", "Total count of requests between two nodes", EdgeLabels);
        _failed = factory.CreateCounter("traces_service_graph_request_failed_total", "Total count of failed requests between two nodes", EdgeLabels);
        _server = factory.CreateHistogram("traces_service_graph_request_server_seconds",
            "Time for a request between two nodes as seen from the server (from the client when the server reported no span)", EdgeLabels, buckets);
        _client = factory.CreateHistogram("traces_service_graph_request_client_seconds",
            "Time for a request between two nodes as seen from the client (from the server when the client reported no span)", EdgeLabels, buckets);
        _messaging = factory.CreateHistogram("traces_service_graph_request_messaging_system_seconds",
            "Time between the producer's end and the consumer's start, for services communicating through a messaging system", EdgeLabels, buckets);
        _unpaired = factory.CreateCounter("traces_service_graph_unpaired_spans_total",
            "Client and producer spans whose peer could not be named: no server span and no peer attribute", EdgeLabels);
        _retracted = factory.CreateCounter("depmap_service_graph_retracted_requests_total",
            "Requests counted in traces_service_graph_request_total that a late span's re-link took back out", EdgeLabels);
        _retractedFailed = factory.CreateCounter("depmap_service_graph_retracted_failed_requests_total",
            "Failed requests counted in traces_service_graph_request_failed_total that a late span's re-link took back out", EdgeLabels);
        registry.AddBeforeCollectCallback(BeforeCollect);
    }

    /// <summary>Adds a committed batch's change.</summary>
    public void Apply(ServiceGraphChange change)
    {
        if (change.IsEmpty)
        {
            return;
        }
        lock (_gate)
        {
            foreach (var (key, delta) in change.Series)
            {
                if (!_series.TryGetValue(key, out var series))
                {
                    series = new Series(this, key, _collects);
                    _series.Add(key, series);
                    _waiting.Add(series);
                }
                series.Take(delta);
            }
            foreach (var (client, count) in change.Unpaired)
            {
                if (!_unpairedSeries.TryGetValue(client, out var unpaired))
                {
                    unpaired = new Unpaired(_unpaired.WithLabels(client, "", ""), _collects);
                    _unpairedSeries.Add(client, unpaired);
                    _waiting.Add(unpaired);
                }
                unpaired.Take(count);
            }
        }
    }

    /// <summary>Runs at the start of every scrape: series seen at zero by an earlier scrape take their calls now.</summary>
    private void BeforeCollect()
    {
        lock (_gate)
        {
            _collects++;
            // Born at collect c, a series was serialised at zero by scrape c + 1; from c + 2 on it counts.
            _waiting.RemoveAll(series => _collects >= series.BornAt + 2 && series.Release());
        }
    }

    private interface IWaiting
    {
        long BornAt { get; }

        /// <summary>Applies what waited; always true.</summary>
        bool Release();
    }

    /// <summary>One edge's children of every family, made together so they are born in the same scrape.</summary>
    private sealed class Series : IWaiting
    {
        private readonly Counter.Child _requests;
        private readonly Counter.Child _failed;
        private readonly Histogram.Child _server;
        private readonly Histogram.Child _client;
        private readonly Histogram.Child? _messaging;
        private readonly Counter.Child _retracted;
        private readonly Counter.Child _retractedFailed;
        private SeriesChange? _pending = new();

        public Series(ServiceGraphMetrics metrics, EdgeKey key, long bornAt)
        {
            string[] labels = [key.Caller, key.Callee, GraphText.ConnectionWord(key.ConnectionType)];
            _requests = metrics._requests.WithLabels(labels);
            _failed = metrics._failed.WithLabels(labels);
            _server = metrics._server.WithLabels(labels);
            _client = metrics._client.WithLabels(labels);
            _messaging = key.ConnectionType == ConnectionType.MessagingSystem ? metrics._messaging.WithLabels(labels) : null;
            _retracted = metrics._retracted.WithLabels(labels);
            _retractedFailed = metrics._retractedFailed.WithLabels(labels);
            BornAt = bornAt;
        }

        public long BornAt { get; }

        public void Take(SeriesChange delta)
        {
            if (_pending is not null)
            {
                _pending.Merge(delta);
                return;
            }
            Count(_requests, _retracted, delta.Calls);
            Count(_failed, _retractedFailed, delta.Failed);
            Observe(_server, delta.Server);
            Observe(_client, delta.Client);
            if (_messaging is not null)
            {
                Observe(_messaging, delta.Messaging);
            }
        }

        public bool Release()
        {
            var pending = _pending!;
            _pending = null;
            Take(pending);
            return true;
        }

        private static void Count(Counter.Child counter, Counter.Child retracted, long delta)
        {
            if (delta > 0)
            {
                counter.Inc(delta);
            }
            else if (delta < 0)
            {
                retracted.Inc(-delta);
            }
        }

        /// <summary>Each bucket's net new durations, as their mean; a bucket that lost durations is left as it was.</summary>
        private static void Observe(Histogram.Child histogram, BucketChange delta)
        {
            for (var bucket = 0; bucket <= BucketChange.Bounds.Length; bucket++)
            {
                var count = delta.Count(bucket);
                if (count > 0)
                {
                    histogram.Observe(BucketChange.Representative(bucket, count, delta.Sum(bucket)), count);
                }
            }
        }
    }

    private sealed class Unpaired(Counter.Child counter, long bornAt) : IWaiting
    {
        private long? _pending = 0;

        public long BornAt { get; } = bornAt;

        public void Take(long count)
        {
            if (_pending is { } pending)
            {
                _pending = pending + count;
            }
            else if (count > 0)
            {
                // A late server span that pairs an unpaired client span does not take it back.
                counter.Inc(count);
            }
        }

        public bool Release()
        {
            var pending = _pending!.Value;
            _pending = null;
            Take(pending);
            return true;
        }
    }
}
