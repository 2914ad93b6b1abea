using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DepMap.Server.Tests.Hosting;

/// <summary>
/// An exception nothing expected (a defect) must still be answered with a body that says what
/// happened and carries the trace id its log line has, not Kestrel's empty 500 (issue 12).
/// A terminal middleware behind the app's own pipeline stands for the defect.
/// </summary>
public sealed class UnexpectedErrorTests : IDisposable
{
    private const string ThrowingPath = "/test-only/unexpected-error";

    private readonly CapturedLogs _logs = new();
    private readonly DepMapFactory _factory;

    public UnexpectedErrorTests()
    {
        _factory = new DepMapFactory();
    }

    [Fact]
    public async Task AnUnexpectedException_IsAnsweredWithAProblemBody_AndLoggedWithItsTraceId()
    {
        using var app = _factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IStartupFilter, ThrowBehindTheApp>();
            services.AddSingleton<ILoggerProvider>(_logs);
        }));

        var response = await app.CreateClient().GetAsync(ThrowingPath);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(500, body.RootElement.GetProperty("status").GetInt32());
        var traceId = body.RootElement.GetProperty("traceId").GetString();
        Assert.False(string.IsNullOrEmpty(traceId));
        // The defect's own message stays in the log, not in the answer.
        Assert.DoesNotContain("the defect", body.RootElement.GetRawText(), StringComparison.Ordinal);
        Assert.Contains(_logs.Errors, e => e.Exception?.Message == "the defect");
    }

    public void Dispose() => _factory.Dispose();

    private sealed class ThrowBehindTheApp : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Run(context => context.Request.Path == ThrowingPath
                ? throw new InvalidOperationException("the defect")
                : Task.CompletedTask);
        };
    }

    private sealed class CapturedLogs : ILoggerProvider, ILogger
    {
        private readonly List<(string Message, Exception? Exception)> _errors = [];

        public IReadOnlyList<(string Message, Exception? Exception)> Errors
        {
            get
            {
                lock (_errors)
                {
                    return [.. _errors];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                lock (_errors)
                {
                    _errors.Add((formatter(state, exception), exception));
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
