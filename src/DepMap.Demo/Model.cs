namespace DepMap.Demo;

/// <summary>
/// A simulated system: services, each with its operations, and the steps each operation takes.
/// Only the shape lives here; <see cref="TracePlanner"/> turns it into timed spans.
/// </summary>
internal sealed record SimSystem(string Name, IReadOnlyDictionary<string, SimService> Services, string EntryService)
{
    /// <summary>What changes part-way through, as a sentence for the report; null when nothing does.</summary>
    public string? Change { get; init; }

    /// <summary>Root traces per second at the default rate.</summary>
    public double DefaultRate { get; init; } = 10;
}

/// <summary>How a service is called: HTTP (a route) or gRPC (a method), which sets its spans' attributes.</summary>
internal enum Protocol
{
    Http,
    Grpc,
}

/// <summary>
/// One service with its <c>service.namespace</c>. <paramref name="Work"/> is its own time per
/// request (log-normal: the median in ms, and the spread); <paramref name="FailureRate"/> the share
/// of requests it fails itself.
/// </summary>
internal sealed record SimService(string Name, string? Namespace, Protocol Protocol, Latency Work, double FailureRate,
    IReadOnlyDictionary<string, SimOperation> Operations)
{
    public SimOperation Default => Operations.Values.First();
}

/// <summary>An operation a service serves: the server span's name and the steps taken in order.</summary>
internal sealed record SimOperation(string Name, IReadOnlyList<Step> Steps);

/// <summary>
/// A step of an operation, taken with <see cref="Probability"/>; <see cref="AfterChange"/> steps
/// only once the system's change has happened (a new dependency appearing mid-run).
/// </summary>
internal abstract record Step
{
    public double Probability { get; init; } = 1;
    public bool AfterChange { get; init; }
}

/// <summary>Own work as an INTERNAL span.</summary>
internal sealed record WorkStep(string Name, Latency Duration) : Step;

/// <summary>A database query: a CLIENT span with <c>db.system.name</c> and <c>db.namespace</c>; nobody answers it.</summary>
internal sealed record QueryStep(string System, string Namespace, string Operation, string Query, Latency Duration, double FailureRate = 0) : Step;

/// <summary>
/// A call to an instrumented service (CLIENT here, SERVER there). When <see cref="PassesOnFailure"/>,
/// the caller fails when the callee does, as most code does with a 500 from below.
/// </summary>
internal sealed record CallStep(string Service, string? Operation = null, bool PassesOnFailure = true) : Step;

/// <summary>A message sent through a broker: a PRODUCER span here, a CONSUMER span in <paramref name="Consumer"/> later.</summary>
internal sealed record PublishStep(string Broker, string Destination, string Consumer, string ConsumerOperation, Latency QueueDelay) : Step;

/// <summary>A call to an API that reports no spans: a CLIENT span naming it by <c>peer.service</c> and <c>server.address</c>.</summary>
internal sealed record ExternalStep(string PeerService, string Address, string Name, Latency Duration, double FailureRate) : Step;

/// <summary>
/// A log-normal latency: <paramref name="MedianMs"/> and the spread <paramref name="Sigma"/> (0.5
/// puts p99 at about 3.2 times the median), as service and database times tend to be.
/// </summary>
internal readonly record struct Latency(double MedianMs, double Sigma)
{
    public double Sample(Random random)
    {
        // Box-Muller: a standard normal from two uniforms.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        return MedianMs * Math.Exp(Sigma * normal);
    }
}
