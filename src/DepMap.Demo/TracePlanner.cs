using System.Diagnostics;

namespace DepMap.Demo;

/// <summary>
/// One span to emit: who reports it, its kind, its times in ms from the trace's start, and its
/// attributes. Children are started with this span's context as their explicit parent.
/// </summary>
internal sealed class PlannedSpan(string service, string name, ActivityKind kind, double startMs)
{
    public string Service { get; } = service;
    public string Name { get; } = name;
    public ActivityKind Kind { get; } = kind;
    public double StartMs { get; } = startMs;
    public double DurationMs { get; set; }
    public double EndMs => StartMs + DurationMs;
    public bool Failed { get; set; }
    public string? FailureMessage { get; set; }
    public List<KeyValuePair<string, object?>> Tags { get; } = [];
    public List<PlannedSpan> Children { get; } = [];

    public IEnumerable<PlannedSpan> SelfAndDescendants() => Children.SelectMany(c => c.SelfAndDescendants()).Prepend(this);

    public PlannedSpan Tag(string key, object? value)
    {
        Tags.Add(new(key, value));
        return this;
    }
}

/// <summary>
/// Turns a <see cref="SimSystem"/> into traces of timed spans from a seeded <see cref="Random"/>:
/// the same seed gives the same traces (which services, how long, which fail), so runs compare.
/// Pure: no clock, no SDK; <see cref="SpanEmitter"/> sends the plan.
/// </summary>
internal sealed class TracePlanner(SimSystem system, int seed)
{
    // One network hop each way: the gap between a client span and its server span.
    private static readonly Latency Network = new(0.4, 0.4);

    private readonly Random _random = new(seed);

    /// <summary>True once the system's change has happened: steps marked <see cref="Step.AfterChange"/> run.</summary>
    public bool Changed { get; set; }

    /// <summary>The next trace's root span: a request from outside into the system's entry service.</summary>
    public PlannedSpan NextTrace()
    {
        var entry = system.Services[system.EntryService];
        var operations = entry.Operations.Keys.ToArray();
        return Serve(entry, operations[_random.Next(operations.Length)], 0, ActivityKind.Server, out _);
    }

    private PlannedSpan Serve(SimService service, string? operationName, double startMs, ActivityKind kind, out bool failed)
    {
        var operation = operationName is null ? service.Default : service.Operations[operationName];
        var server = new PlannedSpan(service.Name, operation.Name, kind, startMs);
        ServerTags(server, service, operation);
        var work = service.Work.Sample(_random);
        var now = startMs + work / 2;
        failed = _random.NextDouble() < service.FailureRate;
        if (failed)
        {
            server.FailureMessage = $"{service.Name}: {operation.Name} failed";
        }
        foreach (var step in operation.Steps)
        {
            if ((step.AfterChange && !Changed) || _random.NextDouble() >= step.Probability)
            {
                continue;
            }
            now = Take(step, server, now, ref failed) + Gap();
        }
        server.DurationMs = now + (work / 2) - startMs;
        server.Failed = failed;
        Status(server, service.Protocol, failed);
        return server;
    }

    private double Take(Step step, PlannedSpan server, double now, ref bool failed)
    {
        switch (step)
        {
            case WorkStep work:
                {
                    var span = Child(server, work.Name, ActivityKind.Internal, now, work.Duration.Sample(_random));
                    return span.EndMs;
                }
            case QueryStep query:
                {
                    var span = Child(server, $"{query.Operation} {query.Namespace}", ActivityKind.Client, now, query.Duration.Sample(_random))
                        .Tag("db.system.name", query.System).Tag("db.namespace", query.Namespace)
                        .Tag("db.operation.name", query.Operation).Tag("db.query.text", query.Query);
                    if (_random.NextDouble() < query.FailureRate)
                    {
                        span.Failed = true;
                        span.FailureMessage = "deadlock detected; the transaction was rolled back";
                        span.Tag("error.type", "40P01");
                        failed = true;
                    }
                    return span.EndMs;
                }
            case CallStep call:
                {
                    var callee = system.Services[call.Service];
                    var answer = Serve(callee, call.Operation, now + Network.Sample(_random), ActivityKind.Server, out var calleeFailed);
                    var client = ClientFor(server.Service, callee, answer.Name, now, answer.EndMs + Network.Sample(_random) - now);
                    client.Children.Add(answer);
                    client.Failed = calleeFailed;
                    Status(client, callee.Protocol, calleeFailed);
                    server.Children.Add(client);
                    failed |= calleeFailed && call.PassesOnFailure;
                    return client.EndMs;
                }
            case PublishStep publish:
                {
                    var producer = Child(server, $"send {publish.Destination}", ActivityKind.Producer, now, 0.5 + (_random.NextDouble() * 2))
                        .Tag("messaging.system", publish.Broker).Tag("messaging.destination.name", publish.Destination)
                        .Tag("messaging.operation.type", "send");
                    var consumer = system.Services[publish.Consumer];
                    var processed = Serve(consumer, publish.ConsumerOperation, producer.EndMs + publish.QueueDelay.Sample(_random), ActivityKind.Consumer, out _)
                        .Tag("messaging.system", publish.Broker).Tag("messaging.destination.name", publish.Destination)
                        .Tag("messaging.operation.type", "process");
                    producer.Children.Add(processed);
                    // A consumer's failure is its own: the producer has long returned.
                    return producer.EndMs;
                }
            case ExternalStep external:
                {
                    var span = Child(server, external.Name, ActivityKind.Client, now, external.Duration.Sample(_random))
                        .Tag("peer.service", external.PeerService).Tag("server.address", external.Address).Tag("server.port", 443)
                        .Tag("http.request.method", "POST");
                    var externalFailed = _random.NextDouble() < external.FailureRate;
                    span.Tag("http.response.status_code", externalFailed ? 502 : 200);
                    if (externalFailed)
                    {
                        span.Failed = true;
                        span.FailureMessage = $"{external.PeerService} answered 502";
                        failed = true;
                    }
                    return span.EndMs;
                }
            default:
                throw new UnreachableException(step.GetType().Name);
        }
    }

    private static PlannedSpan ClientFor(string caller, SimService callee, string operation, double startMs, double durationMs)
    {
        // The client span names what it called as its instrumentation would: the route for HTTP,
        // the full method for gRPC; the server it reached in server.address.
        var client = new PlannedSpan(caller, operation, ActivityKind.Client, startMs) { DurationMs = durationMs };
        client.Tag("server.address", callee.Name).Tag("server.port", callee.Protocol == Protocol.Grpc ? 50051 : 8080);
        if (callee.Protocol == Protocol.Grpc)
        {
            client.Tag("rpc.system", "grpc").Tag("rpc.service", operation.Split('/')[0]).Tag("rpc.method", operation.Split('/')[^1]);
        }
        else
        {
            client.Tag("http.request.method", operation.Split(' ')[0]);
        }
        return client;
    }

    private static void ServerTags(PlannedSpan server, SimService service, SimOperation operation)
    {
        if (server.Kind != ActivityKind.Server)
        {
            return;
        }
        if (service.Protocol == Protocol.Grpc)
        {
            server.Tag("rpc.system", "grpc").Tag("rpc.service", operation.Name.Split('/')[0]).Tag("rpc.method", operation.Name.Split('/')[^1]);
        }
        else if (operation.Name.Contains(' ', StringComparison.Ordinal))
        {
            server.Tag("http.request.method", operation.Name.Split(' ')[0]).Tag("http.route", operation.Name.Split(' ', 2)[1]);
        }
    }

    private static void Status(PlannedSpan span, Protocol protocol, bool failed)
    {
        if (span.Kind is ActivityKind.Server or ActivityKind.Client && !span.Tags.Any(t => t.Key.StartsWith("db.", StringComparison.Ordinal)))
        {
            span.Tag(protocol == Protocol.Grpc ? "rpc.grpc.status_code" : "http.response.status_code",
                protocol == Protocol.Grpc ? (failed ? 13 : 0) : (failed ? 500 : 200));
        }
        if (failed)
        {
            span.FailureMessage ??= protocol == Protocol.Grpc ? "INTERNAL" : "500 Internal Server Error";
        }
    }

    private PlannedSpan Child(PlannedSpan parent, string name, ActivityKind kind, double startMs, double durationMs)
    {
        var span = new PlannedSpan(parent.Service, name, kind, startMs) { DurationMs = durationMs };
        parent.Children.Add(span);
        return span;
    }

    private double Gap() => 0.05 + (_random.NextDouble() * 0.2);
}
