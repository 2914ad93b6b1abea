using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace DepMap.Storage;

/// <summary>Lets `dotnet ef migrations add` build the context without starting the host.</summary>
internal sealed class DepMapDbContextFactory : IDesignTimeDbContextFactory<DepMapDbContext>
{
    public DepMapDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<DepMapDbContext>()
            .UseSqlite("Data Source=design-time.db")
            .Options;
        return new DepMapDbContext(options);
    }
}
