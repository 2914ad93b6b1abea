var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));

app.Run();

/// <summary>The host's entry point, public so the tests' WebApplicationFactory can reach it.</summary>
public partial class Program;
