using DepMap.Core.Conformance;
using DepMap.ModelImport;
using DepMap.Server.Hosting;
using DepMap.Storage;
using DepMap.Storage.Models;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Conformance;

/// <summary>The model, rules and mapping a check uses: a stored upload by id, else the newest of its kind, else the file named in settings.</summary>
internal sealed class DeclaredFiles(DepMapDbContext db, IOptions<ConformanceOptions> options, IHostEnvironment environment)
{
    /// <summary>No model, with the reason, when there is none to check.</summary>
    public async Task<(ArchitectureModel? Model, string? Name, string? Missing)> ModelAsync(long? id, CancellationToken cancellationToken)
    {
        var (bytes, name) = await LoadAsync(DeclaredModelRow.ModelKind, id, options.Value.ModelPath, "Conformance:ModelPath", cancellationToken);
        return bytes is null
            ? (null, null, id is { } missingId
                ? $"model {missingId} does not exist"
                : "no model: upload one with POST /models, or set Conformance:ModelPath")
            : (ModelReader.Read(bytes, name!), name, null);
    }

    public async Task<ConformanceRules> RulesAsync(CancellationToken cancellationToken)
    {
        var (bytes, name) = await LoadAsync(DeclaredModelRow.RulesKind, null, options.Value.RulesPath, "Conformance:RulesPath", cancellationToken);
        return bytes is null ? ConformanceRules.None : RulesReader.Read(bytes, name!);
    }

    public async Task<ServiceMapping> MappingAsync(CancellationToken cancellationToken)
    {
        var (bytes, name) = await LoadAsync(DeclaredModelRow.MappingKind, null, options.Value.MappingPath, "Conformance:MappingPath", cancellationToken);
        return bytes is null ? ServiceMapping.None : MappingReader.Read(bytes, name!);
    }

    private async Task<(byte[]? Bytes, string? Name)> LoadAsync(string kind, long? id, string? path, string setting, CancellationToken cancellationToken)
    {
        var rows = db.DeclaredModels.AsNoTracking().Where(m => m.Kind == kind);
        var row = id is { } wanted
            ? await rows.FirstOrDefaultAsync(m => m.Id == wanted, cancellationToken)
            : await rows.OrderByDescending(m => m.Id).FirstOrDefaultAsync(cancellationToken);
        if (row is not null)
        {
            return (row.Body, row.Name ?? $"{kind} {row.Id}");
        }
        if (id is not null || string.IsNullOrWhiteSpace(path))
        {
            return (null, null);
        }
        var full = RootSettings.ResolvePath(environment, path);
        try
        {
            return (await File.ReadAllBytesAsync(full, cancellationToken), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{setting} '{path}': cannot read: {e.Message}", e);
        }
    }
}
