using CoreSpan = DepMap.Core.Spans.Span;

namespace DepMap.Tests.Shared.Fuzzing;

/// <summary>Times as Zipkin and Jaeger write them: whole microseconds.</summary>
internal static class NativeTime
{
    /// <summary>
    /// The nanoseconds as microseconds, or an <see cref="ArgumentException"/> when they are not whole:
    /// a finer time cannot be carried, and rounding it would hide that from the comparison.
    /// </summary>
    public static long Micros(long nanos) => nanos % 1000 == 0
        ? nanos / 1000
        : throw new ArgumentException($"{nanos} ns is not a whole number of microseconds", nameof(nanos));

    /// <summary>The span with its start and duration cut to whole microseconds, as a Zipkin or Jaeger payload gives them.</summary>
    public static CoreSpan InWholeMicros(CoreSpan span) =>
        span with { StartUnixNano = span.StartUnixNano / 1000 * 1000, DurationNano = span.DurationNano / 1000 * 1000 };
}
