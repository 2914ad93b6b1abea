namespace DepMap.Core.Reliability;

/// <summary>
/// A span's self time: its duration minus the time covered by its children, each clipped to the
/// span and overlapping children counted once, so parallel calls do not make self time negative.
/// Children in any service count: time spent waiting on a callee is the callee's time.
/// </summary>
internal static class SelfTime
{
    public static long Of(SpanTree tree, int node, ref (long Start, long End)[] scratch)
    {
        var span = tree.Spans[node];
        var start = span.StartUnixNano;
        var end = start + Math.Max(0, span.DurationNano);
        var children = tree.Children(node);
        if (scratch.Length < children.Length)
        {
            scratch = new (long, long)[Math.Max(children.Length, scratch.Length * 2)];
        }
        var count = 0;
        foreach (var child in children)
        {
            var childSpan = tree.Spans[child];
            var childStart = Math.Max(start, childSpan.StartUnixNano);
            var childEnd = Math.Min(end, childSpan.StartUnixNano + Math.Max(0, childSpan.DurationNano));
            if (childEnd > childStart)
            {
                scratch[count++] = (childStart, childEnd);
            }
        }
        return end - start - Covered(scratch.AsSpan(0, count));
    }

    private static long Covered(Span<(long Start, long End)> intervals)
    {
        if (intervals.Length == 0)
        {
            return 0;
        }
        intervals.Sort();
        long covered = 0;
        var (runStart, runEnd) = intervals[0];
        for (var i = 1; i < intervals.Length; i++)
        {
            var (nextStart, nextEnd) = intervals[i];
            if (nextStart > runEnd)
            {
                covered += runEnd - runStart;
                (runStart, runEnd) = (nextStart, nextEnd);
            }
            else if (nextEnd > runEnd)
            {
                runEnd = nextEnd;
            }
        }
        return covered + runEnd - runStart;
    }
}
