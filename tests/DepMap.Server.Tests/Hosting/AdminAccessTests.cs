using System.Net;
using DepMap.Server.Tests.Aggregation;

namespace DepMap.Server.Tests.Hosting;

/// <summary>Writes that are not ingest are for local callers or the admin token; ingest and reads stay open.</summary>
public sealed class AdminAccessTests : IDisposable
{
    private readonly AggregationFactory _factory = new(settings: new()
    {
        ["Snapshots:AdminToken"] = "s3cret",
        ["Snapshots:Schedules:hourly:Cron"] = "",
        ["Snapshots:Schedules:daily:Cron"] = "",
    });

    public void Dispose() => _factory.Dispose();

    [Theory]
    [InlineData("POST", "/api/aggregate?flush=true", null)]
    [InlineData("POST", "/snapshots", """{"lookback":"1h"}""")]
    [InlineData("DELETE", "/snapshots/1", null)]
    public async Task Writes_Answer403NamingTheSetting_WhenFromElsewhereWithoutTheToken(string method, string path, string? body)
    {
        var (status, detail) = await SendFromElsewhereAsync(method, path, body, authorization: null);
        var (wrongStatus, _) = await SendFromElsewhereAsync(method, path, body, "Bearer guess");

        Assert.Equal((403, 403), (status, wrongStatus));
        Assert.Contains("Authorization: Bearer <Snapshots:AdminToken>", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bearer s3cret")]
    [InlineData("bearer s3cret")]
    [InlineData("BEARER s3cret")]
    public async Task Writes_AreAccepted_WhenFromElsewhereWithTheTokenInAnySchemeCase(string authorization)
    {
        var (aggregate, _) = await SendFromElsewhereAsync("POST", "/api/aggregate?flush=true", null, authorization);
        var (take, _) = await SendFromElsewhereAsync("POST", "/snapshots", """{"lookback":"1h"}""", authorization);

        Assert.Equal((200, 201), (aggregate, take));
    }

    [Fact]
    public async Task IngestAndReads_StayOpen_WhenFromElsewhereWithoutTheToken()
    {
        var (ingest, _) = await SendFromElsewhereAsync("POST", "/api/v2/spans", "[]", authorization: null);
        var (read, _) = await SendFromElsewhereAsync("GET", "/snapshots", null, authorization: null);

        Assert.Equal((202, 200), (ingest, read));
    }

    private async Task<(int Status, string Body)> SendFromElsewhereAsync(string method, string path, string? body, string? authorization)
    {
        var uri = new Uri("http://x" + path);
        var context = await _factory.Server.SendAsync(c =>
        {
            c.Request.Method = method;
            c.Request.Path = uri.AbsolutePath;
            c.Request.QueryString = new Microsoft.AspNetCore.Http.QueryString(uri.Query);
            c.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
            c.Connection.LocalIpAddress = IPAddress.Parse("192.0.2.1");
            if (authorization is not null)
            {
                c.Request.Headers.Authorization = authorization;
            }
            if (body is not null)
            {
                c.Request.ContentType = "application/json";
                c.Request.Body = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body));
            }
        });
        return (context.Response.StatusCode, await new StreamReader(context.Response.Body).ReadToEndAsync());
    }
}
