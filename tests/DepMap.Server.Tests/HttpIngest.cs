using System.Net.Http.Headers;
using System.Text.Json;

namespace DepMap.Server.Tests;

internal static class HttpIngest
{
    public static Task<HttpResponseMessage> PostAsync(
        this HttpClient client, string path, byte[] body, string? contentType, string? contentEncoding = null)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        if (contentEncoding is not null)
        {
            content.Headers.ContentEncoding.Add(contentEncoding);
        }
        return client.PostAsync(path, content);
    }

    /// <summary>The <c>detail</c> of a ProblemDetails answer.</summary>
    public static async Task<string> ProblemDetailAsync(this HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("detail").GetString() ?? "";
    }
}
