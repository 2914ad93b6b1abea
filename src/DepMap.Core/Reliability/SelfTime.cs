namespace DepMap.Core.Reliability;

/// <summary>
/// A span's self time: its duration minus the time covered by its children, each clipped to the
/// span and overlapping children counted once, so parallel calls do not make self time negative.
/// Children in any service count: time spent waiting on a callee is the callee's time.
/// </summary>
internal static class SelfTime
{
    public static long Of(SpanTreeNode node, List<(long Start, long End)> scratch)
    {
        var start = node.Span.StartUnixNano;
        var end = start + Math.Max(0, node.Span.DurationNano);
        scratch.Clear();
        foreach (var child in node.Children)
        {
            var childStart = Math.Max(start, child.Span.StartUnixNano);
            var childEnd = Math.Min(end, child.Span.StartUnixNano + Math.Max(0, child.Span.DurationNano));
            if (childEnd > childStart)
            {
                scratch.Add((childStart, childEnd));
            }
        }
        return end - start - Covered(scratch);
    }

    private static long Covered(List<(long Start, long End)> intervals)
    {
        if (intervals.Count == 0)
        {
            return 0;
        }
        intervals.Sort();
        long covered = 0;
        var (runStart, runEnd) = intervals[0];
        for (var i = 1; i < intervals.Count; i++)
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
