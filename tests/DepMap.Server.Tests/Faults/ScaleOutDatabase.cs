using DepMap.Server.Tests.Aggregation;
using DepMap.Tests.Shared.PostgreSql;

namespace DepMap.Server.Tests.Faults;

/// <summary>The PostgreSQL side of the scale-out tests: the statistics of a database the instances share.</summary>
internal static class ScaleOutDatabase
{
    /// <summary>Every statistics row, as <see cref="StatisticsSnapshot"/> prints them.</summary>
    public static async Task<string> StatisticsAsync(PostgresDatabase database)
    {
        await using var db = database.Open();
        return await StatisticsSnapshot.TakeAsync(db);
    }
}
