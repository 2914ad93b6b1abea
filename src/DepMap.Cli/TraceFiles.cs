using System.CommandLine;
using DepMap.Core.Spans;
using DepMap.Ingest;

namespace DepMap.Cli;

/// <summary>
/// Reads trace files of any format DepMap decodes, telling them apart by their content. A file
/// that cannot be read or decoded is reported on stderr by name with the decoder's reason; the
/// spans of the other files are kept only when the user asked to keep going.
/// </summary>
internal static class TraceFiles
{
    public static Argument<string[]> FilesArgument() => new("files")
    {
        Description = "Trace files: OTLP protobuf or JSON, Zipkin v2 JSON, or Jaeger JSON (as the Jaeger UI downloads it), in any mix",
        Arity = ArgumentArity.OneOrMore,
    };

    public static Option<bool> KeepGoingOption() => new("--keep-going", "-k")
    {
        Description = "Use the files that decode even when others cannot be read (the exit code still reports the failure)",
    };

    /// <summary>The spans of every file, and whether any file failed.</summary>
    public sealed record Loaded(IReadOnlyList<Span> Spans, bool AnyFailed);

    public static Loaded Load(IReadOnlyList<string> paths, TextWriter error)
    {
        var spans = new List<Span>();
        var anyFailed = false;
        foreach (var path in paths)
        {
            if (Read(path, error) is { } batch)
            {
                if (batch.RejectedSpans > 0)
                {
                    error.WriteLine($"{path}: {batch.RejectedSpans} spans skipped: {batch.RejectionMessage}");
                }
                spans.AddRange(batch.Spans);
            }
            else
            {
                anyFailed = true;
            }
        }
        return new Loaded(spans, anyFailed);
    }

    private static DecodedBatch? Read(string path, TextWriter error)
    {
        byte[] payload;
        try
        {
            payload = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error.WriteLine($"{path}: cannot read: {e.Message}");
            return null;
        }
        if (SpanDecoders.Detect(payload) is not { } format)
        {
            error.WriteLine($"{path}: not a trace file: expected OTLP protobuf, OTLP JSON, Zipkin v2 JSON or Jaeger JSON");
            return null;
        }
        try
        {
            return SpanDecoders.Decode(format, payload);
        }
        catch (SpanDecodeException e)
        {
            error.WriteLine($"{path}: malformed {Describe(format)}: {e.Message}");
            return null;
        }
    }

    private static string Describe(TraceFormat format) => format switch
    {
        TraceFormat.OtlpProtobuf => "OTLP protobuf",
        TraceFormat.OtlpJson => "OTLP JSON",
        TraceFormat.ZipkinJson => "Zipkin v2 JSON",
        _ => "Jaeger JSON",
    };
}
