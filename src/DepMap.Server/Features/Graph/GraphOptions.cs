using DepMap.Rendering;

namespace DepMap.Server.Features.Graph;

/// <summary>The <c>Graph</c> settings: rendering limits, the entry node, the cache.</summary>
internal sealed class GraphOptions
{
    public string DotPath { get; set; } = "dot";
    public string SfdpPath { get; set; } = "sfdp";
    public double DotTimeoutSeconds { get; set; } = 4;
    public double FallbackTimeoutSeconds { get; set; } = 2.5;
    public double TotalBudgetSeconds { get; set; } = 9;
    public int FallbackMaxEdges { get; set; } = 150;
    public int DotMaxEdges { get; set; } = 400;

    /// <summary>Renders running Graphviz at once (<see cref="GraphvizOptions.MaxConcurrentLayouts"/>); 0 means one per core.</summary>
    public int MaxConcurrentLayouts { get; set; }

    /// <summary>Renders waiting for a Graphviz slot; past it /graph.svg answers 503 with Retry-After.</summary>
    public int MaxQueuedLayouts { get; set; } = 8;

    /// <summary>The longest a render waits for a slot (it counts against TotalBudgetSeconds) before a 503.</summary>
    public double MaxLayoutWaitSeconds { get; set; } = 3;

    /// <summary>dot's node placement iterations per node (<see cref="GraphvizOptions.DotNsLimit"/>); null (an empty value) for no limit.</summary>
    public double? DotNsLimit { get; set; } = 10;

    /// <summary>The node drawn for traffic with no reported caller (root server spans); empty turns entry edges off.</summary>
    public string EntryNodeName { get; set; } = "user";

    /// <summary>Rendered graphs and window statistics kept in memory, in MiB.</summary>
    public int CacheMegabytes { get; set; } = 64;

    /// <summary>Render the default view (last hour, no filter) in the background after each aggregation run while someone watches it.</summary>
    public bool PrerenderDefaultView { get; set; } = true;

    /// <summary>At start, draw a tiny graph in the background through /graph.svg's code, so the first request does not pay for compiling it.</summary>
    public bool WarmUpOnStart { get; set; } = true;

    public GraphvizOptions Graphviz => new()
    {
        DotPath = DotPath,
        SfdpPath = SfdpPath,
        DotTimeout = TimeSpan.FromSeconds(DotTimeoutSeconds),
        FallbackTimeout = TimeSpan.FromSeconds(FallbackTimeoutSeconds),
        TotalBudget = TimeSpan.FromSeconds(TotalBudgetSeconds),
        FallbackMaxEdges = FallbackMaxEdges,
        DotMaxEdges = DotMaxEdges,
        DotNsLimit = DotNsLimit,
        MaxConcurrentLayouts = MaxConcurrentLayouts > 0 ? MaxConcurrentLayouts : Math.Max(1, Environment.ProcessorCount),
        MaxQueuedLayouts = MaxQueuedLayouts,
        MaxLayoutWait = TimeSpan.FromSeconds(MaxLayoutWaitSeconds),
    };

    /// <summary>
    /// The configured entry node, or null when turned off. Applied when statistics are read (see
    /// <see cref="GraphReads"/>), not when traces are linked.
    /// </summary>
    public string? EntryNode => EntryNodeName.Length == 0 ? null : EntryNodeName;
}
