namespace DepMap.Ingest.Otlp;

/// <summary>The OTLP messages the protobuf decoder walks, named as in the .proto files.</summary>
internal enum Message
{
    ExportTraceServiceRequest,
    ResourceSpans,
    Resource,
    ScopeSpans,
    Span,
    Link,
    Status,
    KeyValue,
    AnyValue,
}

/// <summary>Field names for error messages: "field 2 (scope_spans)" says more than "field 2".</summary>
internal static class FieldNames
{
    public static string Describe(Message message, int field) => Name(message, field) is { } name
        ? $"{field} ({name})"
        : field.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string? Name(Message message, int field) => (message, field) switch
    {
        (Message.ExportTraceServiceRequest, 1) => "resource_spans",
        (Message.ResourceSpans, 1) => "resource",
        (Message.ResourceSpans, 2) => "scope_spans",
        (Message.ResourceSpans, 3) => "schema_url",
        (Message.Resource, 1) => "attributes",
        (Message.ScopeSpans, 1) => "scope",
        (Message.ScopeSpans, 2) => "spans",
        (Message.ScopeSpans, 3) => "schema_url",
        (Message.Span, 1) => "trace_id",
        (Message.Span, 2) => "span_id",
        (Message.Span, 3) => "trace_state",
        (Message.Span, 4) => "parent_span_id",
        (Message.Span, 5) => "name",
        (Message.Span, 6) => "kind",
        (Message.Span, 7) => "start_time_unix_nano",
        (Message.Span, 8) => "end_time_unix_nano",
        (Message.Span, 9) => "attributes",
        (Message.Span, 11) => "events",
        (Message.Span, 13) => "links",
        (Message.Span, 15) => "status",
        (Message.Span, 16) => "flags",
        (Message.Link, 1) => "trace_id",
        (Message.Link, 2) => "span_id",
        (Message.Status, 2) => "message",
        (Message.Status, 3) => "code",
        (Message.KeyValue, 1) => "key",
        (Message.KeyValue, 2) => "value",
        (Message.AnyValue, 1) => "string_value",
        (Message.AnyValue, 2) => "bool_value",
        (Message.AnyValue, 3) => "int_value",
        (Message.AnyValue, 4) => "double_value",
        (Message.AnyValue, 5) => "array_value",
        (Message.AnyValue, 6) => "kvlist_value",
        (Message.AnyValue, 7) => "bytes_value",
        _ => null,
    };
}
