using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Models;

/// <summary>
/// One uploaded file for the conformance check, kept as given: a declared model (Backstage,
/// Structurizr, CALM), a rules file or a mapping file, by <see cref="Kind"/>. The newest of each
/// kind is the one checked unless a request names another. Times are Unix milliseconds.
/// </summary>
public sealed class DeclaredModelRow
{
    public const string ModelKind = "model";
    public const string RulesKind = "rules";
    public const string MappingKind = "mapping";

    public long Id { get; set; }
    public required string Kind { get; set; }
    public string? Name { get; set; }

    /// <summary>For a model: backstage, structurizr, structurizr-dsl or calm.</summary>
    public string? Format { get; set; }
    public long UploadedAtUnixMs { get; set; }
    public required byte[] Body { get; set; }

    internal static void Configure(ModelBuilder model)
    {
        var row = model.Entity<DeclaredModelRow>();
        row.ToTable("declared_models");
        row.HasKey(m => m.Id);
        row.Property(m => m.Id).HasColumnName("id").ValueGeneratedOnAdd();
        row.Property(m => m.Kind).HasColumnName("kind");
        row.Property(m => m.Name).HasColumnName("name");
        row.Property(m => m.Format).HasColumnName("format");
        row.Property(m => m.UploadedAtUnixMs).HasColumnName("uploaded_at_unix_ms");
        row.Property(m => m.Body).HasColumnName("body");
        row.HasIndex(m => new { m.Kind, m.Id }).HasDatabaseName("ix_declared_models_kind_id");
    }
}
