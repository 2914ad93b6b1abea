using DepMap.Core.Conformance;
using DepMap.ModelImport;
using DepMap.Storage;
using DepMap.Storage.Models;
using Mediator;

namespace DepMap.Server.Features.Conformance;

/// <summary>Stores an uploaded model, rules or mapping file after reading it, so a file that cannot be checked is refused at once, not at the next check.</summary>
internal sealed record StoreModel(string Kind, string? Name, byte[] Body) : IRequest<StoredModel>;

/// <summary>What <c>POST /models</c> answers: the stored file and, for a model, what it declares.</summary>
internal sealed record StoredModel(long Id, string Kind, string? Name, string? Format, int? Entities, int? Dependencies, DateTimeOffset UploadedAt);

internal sealed class StoreModelHandler(DepMapDbContext db, TimeProvider clock) : IRequestHandler<StoreModel, StoredModel>
{
    /// <summary>Throws <see cref="ModelFormatException"/> naming the problem when the file cannot be read.</summary>
    public async ValueTask<StoredModel> Handle(StoreModel request, CancellationToken cancellationToken)
    {
        var name = request.Name ?? request.Kind;
        ArchitectureModel? model = null;
        switch (request.Kind)
        {
            case DeclaredModelRow.ModelKind:
                model = ModelReader.Read(request.Body, name);
                break;
            case DeclaredModelRow.RulesKind:
                RulesReader.Read(request.Body, name);
                break;
            default:
                MappingReader.Read(request.Body, name);
                break;
        }
        var now = clock.GetUtcNow();
        var row = new DeclaredModelRow
        {
            Kind = request.Kind,
            Name = request.Name,
            Format = model?.Format,
            UploadedAtUnixMs = now.ToUnixTimeMilliseconds(),
            Body = request.Body,
        };
        db.DeclaredModels.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        return new StoredModel(row.Id, row.Kind, row.Name, row.Format, model?.Entities.Count, model?.Dependencies.Count, now);
    }
}
