using DepMap.Core.Spans;

namespace DepMap.Core.Tests.Reliability;

/// <summary>
/// A 30-service system behind a <c>gateway</c>, four layers deep, generating traces from a fixed
/// seed. Every service originates a little background noise; one deep service, <c>ledger</c>, has a
/// database that fails often, and every caller up the chain passes that failure on; one service,
/// <c>recommendations</c>, is slow but never fails.
/// </summary>
internal sealed class SyntheticSystem(int seed)
{
    public const string FaultyService = "ledger";
    public const string SlowService = "recommendations";

    public static readonly IReadOnlyDictionary<string, string[]> Calls = new Dictionary<string, string[]>
    {
        ["gateway"] = ["users", "settings", "billing", "orders", "catalog", "search"],
        ["users"] = ["profiles", "auth"],
        ["settings"] = ["preferences", "sessions"],
        ["billing"] = ["invoices", "payments", "notifications"],
        ["orders"] = ["cart", "inventory", "payments", "notifications"],
        ["catalog"] = ["pricing", "reviews", "inventory"],
        ["search"] = ["recommendations", "pricing"],
        ["profiles"] = ["images", "sessions"],
        ["preferences"] = ["sessions"],
        ["invoices"] = ["ledger", "tax"],
        ["payments"] = ["ledger", "fraud", "currency"],
        ["cart"] = ["pricing", "sessions"],
        ["inventory"] = ["warehouse"],
        ["pricing"] = ["currency", "tax"],
        ["recommendations"] = ["ratings"],
        ["reviews"] = ["ratings", "images"],
        ["notifications"] = ["email", "sms"],
        ["auth"] = ["audit"],
        ["ledger"] = ["audit"],
        ["warehouse"] = ["shipping"],
    };

    public static readonly IReadOnlySet<string> WithDatabase = new HashSet<string>
    {
        "users", "orders", "catalog", "ledger", "sessions", "warehouse", "reviews", "audit",
    };

    private const double CallProbability = 0.6;
    private const double BackgroundErrorRate = 0.002;
    private const double FaultyDatabaseErrorRate = 0.15;

    private readonly Random _random = new(seed);

    public static IEnumerable<string> Services =>
        Calls.Keys.Concat(Calls.Values.SelectMany(callees => callees)).Distinct();

    public List<Span> NextTrace(ulong traceId)
    {
        var trace = new TraceSketch(traceId);
        var root = Handle(trace, "gateway", 0, null);
        return root.Spans;
    }

    private sealed record Outcome(double EndMs, bool Error, List<Span> Spans);

    private Outcome Handle(TraceSketch trace, string service, double startMs, Span? parent)
    {
        // The server span is added first with placeholder time and replaced once its children are
        // known, so its id precedes theirs as a real tracer's would.
        var server = trace.Server(service, startMs, 0, parent);
        var index = trace.Spans.Count - 1;
        var now = startMs + Work(service);
        var failed = _random.NextDouble() < BackgroundErrorRate;

        if (WithDatabase.Contains(service))
        {
            var dbFailed = service == FaultyService && _random.NextDouble() < FaultyDatabaseErrorRate;
            var duration = 1 + _random.NextDouble() * 8;
            trace.Database(service, service + "-db", now, duration, server, dbFailed);
            now += duration;
            failed |= dbFailed;
        }
        var callees = Calls.GetValueOrDefault(service) ?? [];
        var chosen = service == "gateway"
            ? [callees[_random.Next(callees.Length)]]
            : callees.Where(_ => _random.NextDouble() < CallProbability).ToArray();
        foreach (var callee in chosen)
        {
            var client = trace.Client(service, now, 0, server);
            var clientIndex = trace.Spans.Count - 1;
            var answer = Handle(trace, callee, now + 0.3, client);
            var end = answer.EndMs + 0.3;
            trace.Spans[clientIndex] = client with { DurationNano = TraceSketch.Ms(end - now), Error = answer.Error };
            now = end;
            failed |= answer.Error;
        }
        now += Work(service) / 2;
        trace.Spans[index] = server with { DurationNano = TraceSketch.Ms(now - startMs), Error = failed };
        return new Outcome(now, failed, trace.Spans);
    }

    private double Work(string service) => service == SlowService
        ? 40 + 400 * Math.Pow(_random.NextDouble(), 3)
        : 0.5 + 3 * _random.NextDouble();
}
