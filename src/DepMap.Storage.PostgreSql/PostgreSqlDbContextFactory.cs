using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace DepMap.Storage.PostgreSql;

/// <summary>
/// Lets `dotnet ef migrations add --project src/DepMap.Storage.PostgreSql` build the context for
/// PostgreSQL without starting the host (no server is contacted to add a migration).
/// </summary>
internal sealed class PostgreSqlDbContextFactory : IDesignTimeDbContextFactory<DepMapDbContext>
{
    public DepMapDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<DepMapDbContext>()
            .UseDepMapPostgreSql("Host=localhost;Database=depmap_design_time")
            .Options;
        return new DepMapDbContext(options);
    }
}
