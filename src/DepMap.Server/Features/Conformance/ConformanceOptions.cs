namespace DepMap.Server.Features.Conformance;

/// <summary>
/// <c>Conformance</c> settings: files checked when nothing was uploaded with <c>POST /models</c>
/// (relative to the content root), and the largest upload.
/// </summary>
internal sealed class ConformanceOptions
{
    public string? ModelPath { get; set; }
    public string? RulesPath { get; set; }
    public string? MappingPath { get; set; }
    public int MaxUploadBytes { get; set; } = 4 * 1024 * 1024;

}

internal static class ConformanceSetup
{
    public static IServiceCollection AddConformance(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ConformanceOptions>()
            .Bind(configuration.GetSection("Conformance"))
            .Validate(o => o.MaxUploadBytes > 0, "Conformance:MaxUploadBytes must be more than 0.")
            .ValidateOnStart();
        services.AddScoped<DeclaredFiles>();
        return services;
    }
}
