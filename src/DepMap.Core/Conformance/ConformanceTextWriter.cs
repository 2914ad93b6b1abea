using System.Text;

namespace DepMap.Core.Conformance;

/// <summary>
/// The conformance report for a terminal or a CI log: a headline with the counts, then one line per
/// finding: <c>+</c> observed but undeclared, <c>-</c> declared but unused, <c>?</c> unmapped
/// entity or unknown service, <c>!</c> rule violation with its calls, errors and exemplar trace.
/// </summary>
public static class ConformanceTextWriter
{
    public static string Write(ConformanceReport report, string? modelName = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.Append($"model: {modelName ?? "(unnamed)"}, {report.Model.Format}, {report.Model.Entities.Count} entities, {report.Model.Dependencies.Count} dependencies\n");
        text.Append($"observed: {report.Observed.Window.Source ?? "(unnamed)"}, {ConformanceText.Window(report.Observed.Window)}, ")
            .Append($"{report.Observed.Nodes.Count} nodes, {report.Observed.Edges.Count} edges\n");
        text.Append($"undeclared edges: {report.UndeclaredEdges.Count}; unused edges: {report.UnusedEdges.Count}; ")
            .Append($"unmapped entities: {report.UnmappedEntities.Count}; unknown services: {report.UnknownServices.Count}; violations: {report.Violations.Count}\n");
        if (report.Conforms)
        {
            text.Append("conforms: every observed edge is declared and every declared one was used\n");
            return text.ToString();
        }
        foreach (var edge in report.UndeclaredEdges)
        {
            text.Append($"+ undeclared {ConformanceText.Edge(edge)}: {ConformanceText.Evidence(edge.CallCount, edge.ErrorCount, edge.ExemplarTraceId)}\n");
        }
        foreach (var unused in report.UnusedEdges)
        {
            text.Append($"- unused {unused.Dependency.From} -> {unused.Dependency.To}")
                .Append(unused.Dependency.Via is { } via ? $" (via {via})" : "")
                .Append($": no call from {string.Join("/", unused.CallerServices)} to {string.Join("/", unused.CalleeServices)} in {ConformanceText.Window(report.Observed.Window)}\n");
        }
        if (report.UnusedNote is { } note)
        {
            text.Append($"  note: {note}\n");
        }
        foreach (var entity in report.UnmappedEntities)
        {
            text.Append($"? unmapped {entity.Entity.Ref}: {entity.Reason}\n");
        }
        foreach (var service in report.UnknownServices)
        {
            text.Append($"? unknown {service.Node.TypeWord} {service.Node.Name}: {ConformanceText.Evidence(service.CallCount, service.ErrorCount, service.ExemplarTraceId)}\n");
        }
        foreach (var violation in report.Violations)
        {
            text.Append($"! {violation.Rule}: {violation.Message}: {ConformanceText.Evidence(violation.CallCount, violation.ErrorCount, violation.ExemplarTraceId)}\n");
        }
        if (report.UncheckedDependencies > 0)
        {
            text.Append($"({report.UncheckedDependencies} declared dependencies not checked: an end is unmapped)\n");
        }
        return text.ToString();
    }
}
