using DepMap.Core.Snapshots;

namespace DepMap.Cli;

/// <summary>
/// Loads one side of a diff: a snapshot or graph JSON file, or a DepMap URL. A bare server URL
/// (no path) asks for the current graph as a snapshot (<c>/graph/snapshot.json</c>, which carries
/// its window); an older server without it answers <c>/graph.json</c>. Any other URL is read as
/// given (a <c>/snapshots/{id}.json</c> or <c>/graph.json?lookback=…</c>).
/// </summary>
internal static class SnapshotSource
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public static bool IsUrl(string source) =>
        Uri.TryCreate(source, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    public static async Task<Snapshot> LoadAsync(string option, string source, string lookback, CancellationToken cancellationToken)
    {
        var (bytes, from) = IsUrl(source)
            ? await FetchAsync(option, new Uri(source), lookback, cancellationToken)
            : (await ReadFileAsync(option, source, cancellationToken), source);
        try
        {
            return SnapshotJson.Read(bytes);
        }
        catch (SnapshotFormatException e)
        {
            throw new InputException($"{option} {from}: not a DepMap snapshot or graph JSON: {e.Message}", e);
        }
    }

    /// <summary>The server's current graph over <paramref name="lookback"/>, as snapshot JSON bytes.</summary>
    public static async Task<(byte[] Bytes, string From)> FetchAsync(string option, Uri url, string lookback, CancellationToken cancellationToken)
    {
        if (url.AbsolutePath is not ("/" or ""))
        {
            return (await GetAsync(option, url, cancellationToken) ?? throw NotFound(option, url), url.ToString());
        }
        var query = $"?lookback={Uri.EscapeDataString(lookback)}";
        var snapshot = new Uri(url, "/graph/snapshot.json" + query);
        if (await GetAsync(option, snapshot, cancellationToken) is { } bytes)
        {
            return (bytes, snapshot.ToString());
        }
        var graph = new Uri(url, "/graph.json" + query);
        return (await GetAsync(option, graph, cancellationToken) ?? throw NotFound(option, graph), graph.ToString());
    }

    /// <summary>The body of a GET, null on 404; any other failure is an <see cref="InputException"/> naming the URL.</summary>
    internal static async Task<byte[]?> GetAsync(string option, Uri url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Http.GetAsync(url, cancellationToken);
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return null;
            }
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var detail = System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 500)).Trim();
                throw new InputException($"{option} {url}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}: {detail}");
            }
            return body;
        }
        catch (HttpRequestException e)
        {
            throw new InputException($"{option} {url}: cannot reach the server: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InputException($"{option} {url}: no answer within {Http.Timeout.TotalSeconds:0} s", e);
        }
    }

    private static async Task<byte[]> ReadFileAsync(string option, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputException($"{option} {path}: no such file", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InputException($"{option} {path}: cannot read: {e.Message}", e);
        }
    }

    private static InputException NotFound(string option, Uri url) => new($"{option} {url}: the server answered 404 Not Found");
}
