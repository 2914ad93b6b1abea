namespace DepMap.Core.Reliability;

/// <summary>
/// What one service did in one trace or, summed, over a window. <see cref="Errors"/> are failed
/// requests, each either <see cref="Originated"/> (the failure bottoms out in the service's own
/// spans, its own database and peer calls included) or <see cref="PassedOn"/> (it came from a
/// failed call into another service). <see cref="SelfTimeNano"/> is the time its spans spent with
/// no child span running.
/// </summary>
public readonly record struct ServiceFacts(long Requests, long Errors, long Originated, long PassedOn, long SelfTimeNano)
{
    public static ServiceFacts operator +(ServiceFacts a, ServiceFacts b) => new(
        a.Requests + b.Requests, a.Errors + b.Errors, a.Originated + b.Originated, a.PassedOn + b.PassedOn,
        a.SelfTimeNano + b.SelfTimeNano);

    public static ServiceFacts operator -(ServiceFacts a, ServiceFacts b) => new(
        a.Requests - b.Requests, a.Errors - b.Errors, a.Originated - b.Originated, a.PassedOn - b.PassedOn,
        a.SelfTimeNano - b.SelfTimeNano);

    public bool IsZero => this == default;
}
