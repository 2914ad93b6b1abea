using DepMap.Server.Features.Aggregation;
using DepMap.Server.Features.Conformance;
using DepMap.Server.Features.Demo;
using DepMap.Server.Features.Dependencies;
using DepMap.Server.Features.Graph;
using DepMap.Server.Features.Health;
using DepMap.Server.Features.Ingest;
using DepMap.Server.Features.Metrics;
using DepMap.Server.Features.Page;
using DepMap.Server.Features.Series;
using DepMap.Server.Features.Services;
using DepMap.Server.Features.Snapshots;
using DepMap.Server.Hosting;

var builder = WebApplication.CreateBuilder(DemoSetup.ReadDemoSwitch(args));

// Configuration: the root appsettings.json (documented there); environment variables and the
// command line override it. Endpoints come from Kestrel:Endpoints unless --urls is given.
builder.Configuration.AddRootSettings(builder.Environment);
// --demo: simulated services send to this instance, with settings that fill the map within a minute.
builder.AddDemo();
builder.WebHost.PreferHostingUrls(true);

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddProblemDetails();
builder.Services.AddHealth(builder.Configuration);
builder.Services.AddDepMapMetrics();
builder.Services.AddDepMapOpenApi();
builder.Services.AddMediator(options => options.ServiceLifetime = ServiceLifetime.Scoped);
builder.Services.AddDepMapStorage(builder.Configuration, builder.Environment);
builder.Services.AddDepMapHangfire(builder.Configuration, builder.Environment);
builder.Services.AddIngest(builder.Configuration);
builder.Services.AddAggregation(builder.Configuration);
builder.Services.AddQueries(builder.Configuration);
builder.Services.AddSnapshots(builder.Configuration);
builder.Services.AddPage(builder.Configuration);
builder.Services.AddConformance(builder.Configuration);

var app = builder.Build();

app.MigrateDepMapDatabase();
app.ScheduleAggregationJobs();
app.ScheduleSnapshotJobs();

// An exception no endpoint expected is logged with its request and answered with a problem body
// carrying the trace id to find it by, instead of Kestrel's empty 500 (one was seen under load
// and could not be traced back: issue 12). Kestrel's own request errors keep their status (a body
// sent too slowly stays 408).
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
});
app.UsePage();
app.MapHealthEndpoints();
app.MapMetricsEndpoint();
app.MapDepMapOpenApi();
app.MapIngestEndpoints();
app.MapOtlpGrpc();
app.MapAggregationEndpoints();
app.MapGraphEndpoints();
app.MapDependencyEndpoints();
app.MapServiceEndpoints();
app.MapSnapshotEndpoints();
app.MapSeriesEndpoints();
app.MapPageEndpoints();
app.MapConformanceEndpoints();
app.MapDepMapHangfireDashboard();

app.Run();

/// <summary>The host's entry point, public so the tests' WebApplicationFactory can reach it.</summary>
public partial class Program;
