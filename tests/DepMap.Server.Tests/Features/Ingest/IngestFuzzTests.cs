using DepMap.Core.Spans;
using DepMap.Ingest;
using DepMap.Tests.Shared.Fuzzing;
using Xunit.Abstractions;

namespace DepMap.Server.Tests.Features.Ingest;

/// <summary>
/// The decoders' fuzzing (DecoderFuzzTests) over HTTP: mutated valid payloads of each format posted
/// to its real endpoint (seed and budget from <see cref="FuzzBudget"/>). The decoders throwing only
/// SpanDecodeException is not enough: what a client sees is the answer, so every answer must be a
/// 2xx or a 4xx whose problem detail names the problem, never a 500, and the server must still take
/// a valid payload afterwards.
/// </summary>
// A factory of its own: the fuzzed spans would otherwise land in the database other classes count.
public sealed class IngestFuzzTests(DepMapFactory factory, ITestOutputHelper output) : IClassFixture<DepMapFactory>
{
    // Each request waits for its commit: 200 per format keeps the class to a few seconds.
    private const int PayloadsPerFormat = 200;

    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<TraceFormat> Formats => [TraceFormat.OtlpProtobuf, TraceFormat.OtlpJson, TraceFormat.ZipkinJson, TraceFormat.JaegerJson];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Post_Answers2xxOr4xxWithProblemDetail_WhenValidPayloadIsMutated(TraceFormat format)
    {
        var (path, contentType) = Endpoint(format);
        var (accepted, refused) = (0, 0);
        var acknowledged = new HashSet<(TraceId Trace, ulong Span)>();

        await FuzzBudget.RunAsync($"http-mutated-{format}", FuzzPayloads.Mutated(format), PayloadsPerFormat, async payload =>
        {
            using var response = await _client.PostAsync(path, payload, contentType);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                accepted++;
                // The server decodes with the same function: these are the spans its 2xx promised to keep.
                acknowledged.UnionWith(SpanDecoders.Decode(format, payload).Spans.Select(s => (s.TraceId, s.SpanId)));
                return;
            }
            Assert.True(status is >= 400 and < 500, $"answered {status}: {await response.Content.ReadAsStringAsync()}");
            Assert.False(string.IsNullOrWhiteSpace(await response.ProblemDetailAsync()), $"a {status} without a detail");
            refused++;
        }, payload => OtlpSpanEncoder.Show(payload, format != TraceFormat.OtlpProtobuf));

        output.WriteLine($"{format}: {accepted} answered 2xx ({acknowledged.Count} distinct spans), {refused} answered 4xx, seed {FuzzBudget.Seed}");
        // Mutations that break the payload must have been posted; the accepting path is proven by the
        // valid payload below (at this budget only 1-2% of mutated JSON stays valid, too few to demand).
        Assert.NotEqual(0, refused);
        // A 2xx means committed: every span a mutated payload had acknowledged is in the span file.
        foreach (var trace in acknowledged.GroupBy(a => a.Trace))
        {
            var stored = (await factory.StoredSpansAsync(trace.Key.Low)).Select(row => row.ToSpan()).Select(s => (s.TraceId, s.SpanId)).ToHashSet();
            Assert.All(trace, span => Assert.Contains(span, stored));
        }

        var fresh = Payloads.NewTraceIdLow();
        using var valid = await _client.PostAsync(path, ValidPayload(format, fresh), contentType);
        Assert.True(valid.IsSuccessStatusCode, $"a valid payload after the fuzzing answered {(int)valid.StatusCode}");
        Assert.NotEmpty(await factory.StoredSpansAsync(fresh));
    }

    private static (string Path, string ContentType) Endpoint(TraceFormat format) => format switch
    {
        TraceFormat.OtlpProtobuf => ("/v1/traces", "application/x-protobuf"),
        TraceFormat.OtlpJson => ("/v1/traces", "application/json"),
        TraceFormat.ZipkinJson => ("/api/v2/spans", "application/json"),
        _ => ("/api/traces", "application/json"),
    };

    private static byte[] ValidPayload(TraceFormat format, ulong traceIdLow)
    {
        Span[] spans =
        [
            new Span
            {
                TraceId = new TraceId(0, traceIdLow),
                SpanId = 0xa,
                Kind = SpanKind.Server,
                LocalService = "after-fuzzing",
                Name = "get /health",
                StartUnixNano = 1_700_000_000_000_000_000,
                DurationNano = 1_000_000,
            },
        ];
        return format switch
        {
            TraceFormat.ZipkinJson => Payloads.Utf8(Payloads.ZipkinTrace(traceIdLow)),
            TraceFormat.JaegerJson => Payloads.Utf8(Payloads.JaegerTrace(traceIdLow)),
            _ => FuzzPayloads.Encode(format, spans),
        };
    }
}
