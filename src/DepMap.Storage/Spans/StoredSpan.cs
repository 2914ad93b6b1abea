using DepMap.Core.Spans;

namespace DepMap.Storage.Spans;

/// <summary>A span read back from the span table with its row id and arrival time.</summary>
public sealed record StoredSpan(long RowId, long ReceivedAtUnixMs, Span Span);
