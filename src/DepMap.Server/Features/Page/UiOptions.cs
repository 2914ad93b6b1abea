namespace DepMap.Server.Features.Page;

/// <summary>The <c>Ui</c> settings: what the page at <c>/</c> needs from the configuration.</summary>
internal sealed class UiOptions
{
    /// <summary>
    /// Where a trace id links to, with <c>{traceId}</c> replaced (e.g. a Jaeger, Tempo or Zipkin
    /// trace URL); empty: trace ids are shown as text, not links.
    /// </summary>
    public string TraceUrlTemplate { get; set; } = "";
}
