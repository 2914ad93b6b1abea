using System.Data;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Aggregation;

/// <summary>The aggregation's reads and writes of <see cref="TraceLinkRow"/>, through the context's connection.</summary>
public sealed class TraceLinkRows(DbContext db)
{
    private const string AnySql = $"SELECT EXISTS (SELECT 1 FROM {TraceLinkRow.Table})";

    private const string SourcesSql =
        $"SELECT {TraceLinkRow.TargetColumn}, {TraceLinkRow.SourceColumn} FROM {TraceLinkRow.Table} " +
        $"WHERE {TraceLinkRow.TargetColumn} IN (SELECT value FROM json_each(@ids))";

    private const string InsertSql =
        $"INSERT OR IGNORE INTO {TraceLinkRow.Table} ({TraceLinkRow.TargetColumn}, {TraceLinkRow.SourceColumn}) VALUES (@target, @source)";

    /// <summary>True when any trace ever linked across traces: until then a batch need not look the index up.</summary>
    public bool Any()
    {
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = AnySql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0;
    }

    /// <summary>The traces that link to any of <paramref name="targets"/>, as (target, source) pairs.</summary>
    public List<(long Target, long Source)> SourcesOf(IReadOnlyCollection<long> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var pairs = new List<(long, long)>();
        if (targets.Count == 0)
        {
            return pairs;
        }
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = SourcesSql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@ids";
        parameter.DbType = DbType.String;
        parameter.Value = "[" + string.Join(',', targets) + "]";
        command.Parameters.Add(parameter);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            pairs.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }
        return pairs;
    }

    /// <summary>Adds the pairs not stored yet, inside <paramref name="db"/>'s open transaction.</summary>
    public static void Write(DbContext db, IEnumerable<(long Target, long Source)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        using var insert = new PreparedCommand(db, InsertSql, ("@target", DbType.Int64), ("@source", DbType.Int64));
        foreach (var (target, source) in pairs)
        {
            insert.Execute(target, source);
        }
    }
}
