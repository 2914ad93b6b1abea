namespace DepMap.LoadTest;

/// <summary>The wire format sent, with the receiver's path, content type and default port.</summary>
internal enum LoadFormat
{
    OtlpProtobuf,
    OtlpJson,
    Zipkin,
}

internal static class LoadFormats
{
    public static LoadFormat Parse(string value) => value switch
    {
        "otlp-protobuf" => LoadFormat.OtlpProtobuf,
        "otlp-json" => LoadFormat.OtlpJson,
        "zipkin" => LoadFormat.Zipkin,
        _ => throw new ArgumentException($"--format must be otlp-protobuf, otlp-json or zipkin, not '{value}'"),
    };

    public static string Path(this LoadFormat format) => format == LoadFormat.Zipkin ? "api/v2/spans" : "v1/traces";

    public static string ContentType(this LoadFormat format) => format == LoadFormat.OtlpProtobuf ? "application/x-protobuf" : "application/json";

    /// <summary>OTLP/HTTP's standard port; Zipkin's receiver is on DepMap's HTTP API port.</summary>
    public static string DefaultUrl(this LoadFormat format) => format == LoadFormat.Zipkin ? "http://127.0.0.1:5080" : "http://127.0.0.1:4318";
}
