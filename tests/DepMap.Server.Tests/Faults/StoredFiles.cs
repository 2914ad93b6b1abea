using DepMap.Server.Tests.Aggregation;
using DepMap.Storage;
using DepMap.Storage.Snapshots;
using DepMap.Storage.Spans;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Server.Tests.Faults;

/// <summary>Reads a data folder's files directly, as they are on disk (SQLite replays its WAL on open).</summary>
internal static class StoredFiles
{
    /// <summary>Every statistics row, as <see cref="StatisticsSnapshot"/> prints them.</summary>
    public static async Task<string> StatisticsAsync(string folder)
    {
        var options = new DbContextOptionsBuilder<DepMapDbContext>()
            .UseDepMapSqlite($"Data Source={ServerProcess.DatabasePath(folder)};Pooling=False").Options;
        await using var db = new DepMapDbContext(options);
        return await StatisticsSnapshot.TakeAsync(db);
    }

    /// <summary>Every stored snapshot row, oldest first.</summary>
    public static async Task<List<SnapshotRow>> SnapshotsAsync(string folder)
    {
        var options = new DbContextOptionsBuilder<DepMapDbContext>()
            .UseDepMapSqlite($"Data Source={ServerProcess.DatabasePath(folder)};Pooling=False").Options;
        await using var db = new DepMapDbContext(options);
        return await db.Snapshots.AsNoTracking().OrderBy(s => s.Id).ToListAsync();
    }

    /// <summary>Calls counted in the minute buckets (every edge, every connection type).</summary>
    public static long CallsCounted(string statistics) => statistics.Split('\n')
        .Where(l => l.StartsWith("edge Minute ", StringComparison.Ordinal) || l.StartsWith("edge 0 ", StringComparison.Ordinal))
        .Sum(l => long.Parse(l.Split(' ')[6], System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The distinct low trace ids in the span file, and its row count.</summary>
    public static (HashSet<ulong> Traces, long Rows) Spans(string folder)
    {
        using var connection = new SqliteConnection($"Data Source={ServerProcess.SpanDatabasePath(folder)};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SpanRow.TraceIdLowColumn} FROM {SpanRow.Table}";
        var traces = new HashSet<ulong>();
        long rows = 0;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            traces.Add(unchecked((ulong)reader.GetInt64(0)));
            rows++;
        }
        return (traces, rows);
    }
}
