using System.Text;
using System.Text.Json;

namespace DepMap.Core.Conformance;

/// <summary>The conformance report as JSON (docs/conformance.md): indented, in the report's order, no timestamps beyond the window's.</summary>
public static class ConformanceJsonWriter
{
    public const string FormatName = "depmap-conformance";
    public const int FormatVersion = 1;

    public static byte[] WriteUtf8(ConformanceReport report, string? modelName = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("format", FormatName);
            json.WriteNumber("version", FormatVersion);
            json.WriteBoolean("conforms", report.Conforms);
            json.WriteStartObject("model");
            json.WriteString("name", modelName);
            json.WriteString("format", report.Model.Format);
            json.WriteNumber("entities", report.Model.Entities.Count);
            json.WriteNumber("dependencies", report.Model.Dependencies.Count);
            json.WriteEndObject();
            WriteObserved(json, report.Observed);
            json.WriteStartObject("counts");
            json.WriteNumber("undeclaredEdges", report.UndeclaredEdges.Count);
            json.WriteNumber("unusedEdges", report.UnusedEdges.Count);
            json.WriteNumber("unmappedEntities", report.UnmappedEntities.Count);
            json.WriteNumber("unknownServices", report.UnknownServices.Count);
            json.WriteNumber("violations", report.Violations.Count);
            json.WriteNumber("uncheckedDependencies", report.UncheckedDependencies);
            json.WriteEndObject();

            json.WriteStartArray("undeclaredEdges");
            foreach (var edge in report.UndeclaredEdges)
            {
                WriteEdge(json, edge);
            }
            json.WriteEndArray();
            json.WriteStartArray("unusedEdges");
            foreach (var unused in report.UnusedEdges)
            {
                json.WriteStartObject();
                json.WriteString("from", unused.Dependency.From);
                json.WriteString("to", unused.Dependency.To);
                json.WriteString("via", unused.Dependency.Via);
                WriteStrings(json, "callerServices", unused.CallerServices);
                WriteStrings(json, "calleeServices", unused.CalleeServices);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("unusedNote", report.UnusedNote);
            json.WriteStartArray("unmappedEntities");
            foreach (var entity in report.UnmappedEntities)
            {
                json.WriteStartObject();
                json.WriteString("entity", entity.Entity.Ref);
                json.WriteString("reason", entity.Reason);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("unknownServices");
            foreach (var service in report.UnknownServices)
            {
                json.WriteStartObject();
                json.WriteString("service", service.Node.Name);
                json.WriteString("type", service.Node.TypeWord);
                json.WriteString("namespace", service.Node.Namespace);
                json.WriteNumber("calls", service.CallCount);
                json.WriteNumber("errors", service.ErrorCount);
                json.WriteString("exemplarTraceId", service.ExemplarTraceId);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("violations");
            foreach (var violation in report.Violations)
            {
                json.WriteStartObject();
                json.WriteString("rule", violation.Rule);
                json.WriteString("subject", violation.Subject);
                json.WriteString("message", violation.Message);
                json.WriteNumber("calls", violation.CallCount);
                json.WriteNumber("errors", violation.ErrorCount);
                json.WriteString("exemplarTraceId", violation.ExemplarTraceId);
                json.WriteStartArray("edges");
                foreach (var edge in violation.Edges)
                {
                    WriteEdge(json, edge);
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("mappings");
            foreach (var mapping in report.Mappings)
            {
                json.WriteStartObject();
                json.WriteString("entity", mapping.Entity.Ref);
                WriteStrings(json, "services", mapping.Services);
                json.WriteString("by", mapping.By);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    public static string Write(ConformanceReport report, string? modelName = null) => Encoding.UTF8.GetString(WriteUtf8(report, modelName));

    private static void WriteObserved(Utf8JsonWriter json, ObservedGraph observed)
    {
        json.WriteStartObject("observed");
        json.WriteString("source", observed.Window.Source);
        if (observed.Window.FromUnixMs is { } from && observed.Window.ToUnixMs is { } to)
        {
            json.WriteString("from", ConformanceText.Iso(from));
            json.WriteString("to", ConformanceText.Iso(to));
        }
        else
        {
            json.WriteNull("from");
            json.WriteNull("to");
        }
        if (observed.Window.Length is { } length)
        {
            json.WriteNumber("windowSeconds", Math.Round(length.TotalSeconds, 3));
        }
        else
        {
            json.WriteNull("windowSeconds");
        }
        json.WriteNumber("nodes", observed.Nodes.Count);
        json.WriteNumber("edges", observed.Edges.Count);
        json.WriteEndObject();
    }

    private static void WriteEdge(Utf8JsonWriter json, ObservedEdge edge)
    {
        json.WriteStartObject();
        json.WriteString("caller", edge.Key.Caller);
        json.WriteString("callee", edge.Key.Callee);
        json.WriteString("connectionType", edge.ConnectionWord.Length == 0 ? null : edge.ConnectionWord);
        json.WriteNumber("calls", edge.CallCount);
        json.WriteNumber("errors", edge.ErrorCount);
        json.WriteString("exemplarTraceId", edge.ExemplarTraceId);
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }
}
