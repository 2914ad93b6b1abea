using System.Globalization;
using System.Text;
using System.Text.Json;
using DepMap.Core.Snapshots;
using DepMap.Core.Writers;
using DepMap.Rendering;
using DepMap.Server.Features.Metrics;
using DepMap.Server.Hosting;
using DepMap.Storage.Snapshots;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Snapshots;

/// <summary>
/// The snapshot files under <c>Snapshots:Directory</c>: <c>{stem}.json|.dot|.svg|.mmd</c> per
/// snapshot, <c>latest.*</c> for the newest, and <c>index.json</c> listing every snapshot. A
/// snapshot with the previous one's topology gets its <c>.json</c> (statistics) only, and the
/// index points at the pictures that still hold, so a repository of snapshots grows by a small
/// file per unchanged hour. Every body is deterministic (no timestamps inside).
/// </summary>
internal sealed partial class SnapshotFiles(IOptions<SnapshotOptions> options, IHostEnvironment environment, GraphvizRenderer renderer,
    DepMapMetrics metrics, ILogger<SnapshotFiles> logger) : IDisposable
{
    public static readonly string[] Formats = ["json", "dot", "svg", "mmd"];
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly SemaphoreSlim _gate = new(1, 1);

    // Relative to the settings file's folder (the repository root), as the SQLite files are: the
    // content root is src/DepMap.Server under `dotnet run --project`, which is not where users look.
    public string Directory => RootSettings.ResolvePath(environment, options.Value.Directory);

    /// <summary>Taking and deleting snapshots one at a time keeps "previous", names and the index consistent.</summary>
    public async Task<IDisposable> LockAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        return new Release(_gate);
    }

    /// <summary><c>20250101T0100Z-hourly</c>: the window's end, then the label made safe for any file system.</summary>
    public static string Stem(DateTimeOffset to, string? label)
    {
        var slug = new StringBuilder();
        foreach (var c in (label ?? "").ToLowerInvariant())
        {
            var keep = char.IsAsciiLetterOrDigit(c) ? c : '-';
            if (!(keep == '-' && (slug.Length == 0 || slug[^1] == '-')) && slug.Length < 40)
            {
                slug.Append(keep);
            }
        }
        var name = slug.ToString().TrimEnd('-');
        return to.UtcDateTime.ToString("yyyyMMdd'T'HHmm'Z'", CultureInfo.InvariantCulture) + "-" + (name.Length == 0 ? "snapshot" : name);
    }

    /// <summary>
    /// <paramref name="stem"/>, else <c>{stem}-2</c>, <c>-3</c>, … whichever no stored snapshot has:
    /// counting snapshots would hand out a name still held after a delete, or one a label such as
    /// <c>a-2</c> already took.
    /// </summary>
    public static string FreeStem(string stem, IReadOnlySet<string> used)
    {
        var candidate = stem;
        for (var n = 2; used.Contains(candidate); n++)
        {
            candidate = $"{stem}-{n.ToString(CultureInfo.InvariantCulture)}";
        }
        return candidate;
    }

    /// <summary>
    /// Whether a stored snapshot's files were all written: its .json, and unless it shares the
    /// previous topology its .mmd, the last one <see cref="WriteAsync"/> writes (the .svg may be
    /// missing for want of Graphviz alone).
    /// </summary>
    public bool HasFiles(SnapshotRow row) =>
        File.Exists(PathOf(row.FileStem, "json")) && (row.SameTopologyAsPrevious || File.Exists(PathOf(row.FileStem, "mmd")));

    /// <summary>One format of a snapshot's graph; SVG is drawn by Graphviz (with its timeouts and fallbacks).</summary>
    public async Task<byte[]> RenderAsync(Snapshot snapshot, string format, CancellationToken cancellationToken) => format switch
    {
        "json" => SnapshotJson.WriteUtf8(snapshot),
        "dot" => Utf8.GetBytes(DotWriter.Write(snapshot.Graph!)),
        "mmd" => Utf8.GetBytes(MermaidWriter.Write(snapshot.Graph!)),
        "svg" => Utf8.GetBytes((await metrics.RenderAsync(() => renderer.RenderSvgAsync(snapshot.Graph!, cancellationToken))).Svg),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "json, dot, svg or mmd"),
    };

    // A stored snapshot's picture waits for a Graphviz slot however busy /graph.svg keeps them:
    // there is no client here to tell to retry.
    private async Task<byte[]> RenderWaitingAsync(Snapshot snapshot, string format, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await RenderAsync(snapshot, format, cancellationToken);
            }
            catch (GraphvizBusyException e)
            {
                await Task.Delay(e.RetryAfter, cancellationToken);
            }
        }
    }

    /// <summary>Writes the snapshot's own files, and <c>latest.*</c> when it is the newest.</summary>
    public async Task WriteAsync(SnapshotRow row, Snapshot snapshot, bool latest, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        foreach (var format in Formats)
        {
            byte[] bytes;
            try
            {
                bytes = await RenderWaitingAsync(snapshot, format, cancellationToken);
            }
            catch (GraphvizException e)
            {
                // The snapshot is stored either way; only its picture is missing until Graphviz is installed.
                logger.LogWarning(e, "Snapshot {Id}: no SVG written", row.Id);
                continue;
            }
            if (format == "json" || !row.SameTopologyAsPrevious)
            {
                await File.WriteAllBytesAsync(PathOf(row.FileStem, format), bytes, cancellationToken);
            }
            if (latest)
            {
                await File.WriteAllBytesAsync(PathOf("latest", format), bytes, cancellationToken);
            }
        }
    }

    public void LogNotWritten(long id, Exception exception) => LogFilesNotWritten(logger, exception, id, Directory);

    public void Delete(string stem)
    {
        foreach (var format in Formats)
        {
            File.Delete(PathOf(stem, format));
        }
    }

    /// <summary>Rewrites <c>index.json</c> from the stored rows (oldest first), so it always matches the database.</summary>
    public async Task WriteIndexAsync(IReadOnlyList<SnapshotRow> rows, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            json.WriteStartObject();
            json.WriteStartArray("snapshots");
            string? pictures = null;
            foreach (var row in rows)
            {
                pictures = row.SameTopologyAsPrevious && pictures is not null ? pictures : row.FileStem;
                json.WriteStartObject();
                json.WriteNumber("id", row.Id);
                json.WriteString("file", row.FileStem + ".json");
                json.WriteString("label", row.Label);
                json.WriteString("from", SnapshotView.Time(row.FromUnixMs));
                json.WriteString("to", SnapshotView.Time(row.ToUnixMs));
                json.WriteNumber("nodes", row.NodeCount);
                json.WriteNumber("edges", row.EdgeCount);
                json.WriteString("topologyHash", row.TopologyHash);
                json.WriteString("contentHash", row.ContentHash);
                json.WriteBoolean("sameTopologyAsPrevious", row.SameTopologyAsPrevious);
                json.WriteString("pictures", pictures);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        await File.WriteAllBytesAsync(Path.Combine(Directory, "index.json"), stream.ToArray(), cancellationToken);
    }

    public void Dispose() => _gate.Dispose();

    [LoggerMessage(Level = LogLevel.Error, Message = "Snapshot {Id} is stored but its files could not be written to {Directory}; they are written from the stored row at the next start")]
    private static partial void LogFilesNotWritten(ILogger logger, Exception exception, long id, string directory);

    private string PathOf(string stem, string format) => Path.Combine(Directory, $"{stem}.{format}");

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
