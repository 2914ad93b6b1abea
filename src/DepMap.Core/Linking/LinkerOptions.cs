namespace DepMap.Core.Linking;

/// <summary>The view the linker builds and the name of the entry node for traffic with no reported caller.</summary>
public sealed record LinkerOptions
{
    public LinkView View { get; init; } = LinkView.DepMap;

    /// <summary>Entry node for root SERVER/CONSUMER spans with no caller; null turns entry edges off.</summary>
    public string? EntryNodeName { get; init; } = "user";

    public static LinkerOptions DepMap { get; } = new();

    /// <summary>Zipkin draws no entry edges: a root server with no remote service links nothing.</summary>
    public static LinkerOptions Zipkin { get; } = new() { View = LinkView.Zipkin, EntryNodeName = null };
}
