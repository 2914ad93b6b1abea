using System.Text.Json;
using DepMap.Rendering;
using DepMap.Server.Features.Graph;
using DepMap.Server.Hosting;
using Mediator;

namespace DepMap.Server.Features.Snapshots;

/// <summary>
/// <c>/snapshots</c>: take (POST), list, read in four formats, delete (admin), and diff two
/// snapshots; <c>/graph/diff</c> compares any two snapshots or windows; <c>/graph/snapshot.json</c>
/// is a window in the snapshot format, not stored.
/// </summary>
internal static class SnapshotEndpoints
{
    private const int MaxLabelLength = 100;

    public static IEndpointRouteBuilder MapSnapshotEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/snapshots", TakeAsync).RequireAdmin("Taking a snapshot");
        app.MapGet("/snapshots", ListAsync);
        app.MapGet("/snapshots/{id:long}", async (long id, ISender sender, CancellationToken ct) =>
            await sender.Send(new GetSnapshot(id), ct) is { } view ? Results.Ok(view) : NotFound(id));
        app.MapGet("/snapshots/{id:long}.{format}", FileAsync);
        app.MapDelete("/snapshots/{id:long}", async (long id, ISender sender, CancellationToken ct) =>
            await sender.Send(new DeleteSnapshot(id), ct) ? Results.NoContent() : NotFound(id)).RequireAdmin("Deleting a snapshot");
        app.MapGet("/snapshots/{head:long}/diff/{base:long}.{format}", (long head, long @base, string format, ISender sender, CancellationToken ct) =>
            DiffAsync(new DiffSide(@base, null), new DiffSide(head, null), format, sender, ct));
        app.MapGet("/graph/diff", (HttpRequest request, ISender sender, TimeProvider clock) => WindowDiffAsync(request, sender, clock, "json"));
        app.MapGet("/graph/diff.{format}", (string format, HttpRequest request, ISender sender, TimeProvider clock) => WindowDiffAsync(request, sender, clock, format));
        app.MapGet("/graph/snapshot.json", async (HttpRequest request, ISender sender, TimeProvider clock, CancellationToken ct) =>
        {
            var query = new QueryParameters(request.Query);
            var window = QueryWindow.Read(query, clock.GetUtcNow());
            var label = Label(query.Text("label"), out var labelError);
            return query.Error is { } error ? QueryProblems.BadParameter(error)
                : labelError is not null ? QueryProblems.BadParameter(labelError)
                : Results.File(await sender.Send(new GetCurrentSnapshot(window!.Value, label), ct), "application/json");
        });
        return app;
    }

    private static async Task<IResult> TakeAsync(HttpRequest request, ISender sender, TimeProvider clock, CancellationToken ct)
    {
        var (body, bodyError) = await TakeSnapshotBody.ReadAsync(request, ct);
        if (bodyError is not null)
        {
            return QueryProblems.BadParameter(bodyError);
        }
        var window = SnapshotWindows.Read(body.Lookback, body.From, body.To, clock.GetUtcNow(), out var error);
        var label = Label(body.Label, out var labelError);
        if ((error ?? labelError) is { } problem)
        {
            return QueryProblems.BadParameter(problem);
        }
        var view = await sender.Send(new TakeSnapshot(window!.Value, label), ct);
        return Results.Created($"/snapshots/{view.Id}", view);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, ISender sender, CancellationToken ct)
    {
        var query = new QueryParameters(request.Query);
        var page = query.Integer("page", 1, int.MaxValue, "a page number, 1 or more");
        var size = query.Integer("pageSize", 1, 200, "a page size from 1 to 200");
        return query.Error is { } error
            ? QueryProblems.BadParameter(error)
            : Results.Ok(await sender.Send(new GetSnapshots((int)(page ?? 1), (int)(size ?? 20)), ct));
    }

    private static async Task<IResult> FileAsync(long id, string format, ISender sender, CancellationToken ct)
    {
        if (!SnapshotFiles.Formats.Contains(format))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown format",
                detail: $"format '{QueryParameters.Shown(format)}': use .json, .dot, .svg or .mmd");
        }
        try
        {
            return await sender.Send(new GetSnapshotFile(id, format), ct) is { } bytes ? Results.File(bytes, ContentType(format)) : NotFound(id);
        }
        catch (GraphvizNotFoundException e)
        {
            return QueryProblems.GraphvizMissing(e);
        }
        catch (GraphvizBusyException e)
        {
            return QueryProblems.GraphvizBusy(e);
        }
    }

    private static Task<IResult> WindowDiffAsync(HttpRequest request, ISender sender, TimeProvider clock, string format)
    {
        var query = new QueryParameters(request.Query);
        var now = clock.GetUtcNow();
        var @base = SnapshotWindows.ReadSide("base", query.Text("base"), now, out var baseError);
        var head = SnapshotWindows.ReadSide("head", query.Text("head"), now, out var headError);
        return (query.Error ?? baseError ?? headError) is { } error
            ? Task.FromResult<IResult>(QueryProblems.BadParameter(error))
            : DiffAsync(@base!, head!, format, sender, request.HttpContext.RequestAborted);
    }

    private static async Task<IResult> DiffAsync(DiffSide @base, DiffSide head, string format, ISender sender, CancellationToken ct)
    {
        if (format is not ("json" or "svg"))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown format",
                detail: $"format '{QueryParameters.Shown(format)}': a diff is .json or .svg");
        }
        try
        {
            var answer = await sender.Send(new DiffGraphs(@base, head, format == "svg"), ct);
            return answer.Body is { } body ? Results.File(body, ContentType(format)) : NotFound(answer.MissingId!.Value);
        }
        catch (GraphvizNotFoundException e)
        {
            return QueryProblems.GraphvizMissing(e);
        }
        catch (GraphvizBusyException e)
        {
            return QueryProblems.GraphvizBusy(e);
        }
    }

    private static string? Label(string? text, out ParameterError? error)
    {
        error = text switch
        {
            { Length: > MaxLabelLength } => new ParameterError("label", $"is {text.Length} characters long; at most {MaxLabelLength}"),
            not null when text.Any(char.IsControl) => new ParameterError("label", $"'{QueryParameters.Shown(text)}' contains control characters"),
            _ => null,
        };
        return string.IsNullOrWhiteSpace(text) ? null : text;
    }

    private static IResult NotFound(long id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such snapshot", detail: $"snapshot {id} does not exist");

    private static string ContentType(string format) => format switch
    {
        "json" => "application/json",
        "svg" => "image/svg+xml",
        _ => "text/plain; charset=utf-8",
    };
}

/// <summary>The body of <c>POST /snapshots</c>: <c>lookback</c>, or <c>from</c>/<c>to</c> (ISO 8601), and an optional label.</summary>
internal sealed record TakeSnapshotBody(string? Lookback, string? From, string? To, string? Label)
{
    private const int MaxBytes = 64 * 1024;
    private static readonly string[] Fields = ["lookback", "from", "to", "label"];

    /// <summary>
    /// The body read by hand, so that every refusal names the field and the reason (model binding
    /// answers a malformed body or a number for <c>lookback</c> with an empty 400). No body takes
    /// the defaults, as before.
    /// </summary>
    public static async Task<(TakeSnapshotBody Body, ParameterError? Error)> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var empty = new TakeSnapshotBody(null, null, null, null);
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        if (buffer.Length > MaxBytes)
        {
            return (empty, new ParameterError("body", $"is {buffer.Length} bytes; a snapshot request is at most {MaxBytes}"));
        }
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (System.Text.Encoding.UTF8.GetString(bytes.Span).Trim().Length == 0)
        {
            return (empty, null);
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            return (empty, new ParameterError("body", $"is not JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}); send an object such as {{\"lookback\":\"1h\"}}"));
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (empty, new ParameterError("body", $"is {Kind(document.RootElement.ValueKind)}; send an object such as {{\"lookback\":\"1h\"}}"));
            }
            var values = new Dictionary<string, string?>();
            foreach (var field in Fields)
            {
                if (!document.RootElement.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }
                if (value.ValueKind != JsonValueKind.String)
                {
                    var example = field == "lookback" ? "\"1h\"" : field == "label" ? "\"release-42\"" : "\"2025-01-31T14:00:00Z\"";
                    return (empty, new ParameterError(field, $"is {Kind(value.ValueKind)}; give a string such as {example}"));
                }
                try
                {
                    values[field] = value.GetString();
                }
                catch (InvalidOperationException)
                {
                    return (empty, new ParameterError(field, "is not valid UTF-8"));
                }
            }
            return (new TakeSnapshotBody(values.GetValueOrDefault("lookback"), values.GetValueOrDefault("from"),
                values.GetValueOrDefault("to"), values.GetValueOrDefault("label")), null);
        }
    }

    private static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Number => "a number",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "a string",
    };
}
