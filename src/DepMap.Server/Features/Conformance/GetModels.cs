using DepMap.Storage;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Server.Features.Conformance;

/// <summary>The uploaded files, newest first, without their bodies.</summary>
internal sealed record GetModels : IRequest<List<StoredModel>>;

internal sealed class GetModelsHandler(DepMapDbContext db) : IRequestHandler<GetModels, List<StoredModel>>
{
    public async ValueTask<List<StoredModel>> Handle(GetModels request, CancellationToken cancellationToken)
    {
        var rows = await db.DeclaredModels.AsNoTracking().OrderByDescending(m => m.Id)
            .Select(m => new { m.Id, m.Kind, m.Name, m.Format, m.UploadedAtUnixMs })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(m => new StoredModel(m.Id, m.Kind, m.Name, m.Format, null, null, DateTimeOffset.FromUnixTimeMilliseconds(m.UploadedAtUnixMs)))];
    }
}
