using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace DepMap.Storage;

/// <summary>
/// One SQL statement prepared once on a context's connection and open transaction, then re-bound
/// and re-executed per row: what the aggregation's writers use where EF Core's change tracking
/// cost more than the writes themselves. Named parameters (<c>@name</c>) in the order added.
/// </summary>
internal sealed class PreparedCommand : IDisposable
{
    private readonly DbCommand _command;

    public PreparedCommand(DbContext db, string sql, params (string Name, DbType Type)[] parameters)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Prepared writes run inside the caller's transaction.");
        _command = db.Database.GetDbConnection().CreateCommand();
        _command.Transaction = transaction;
        _command.CommandText = sql;
        foreach (var (name, type) in parameters)
        {
            var parameter = _command.CreateParameter();
            parameter.ParameterName = name;
            parameter.DbType = type;
            _command.Parameters.Add(parameter);
        }
        _command.Prepare();
    }

    public DbParameterCollection Parameters => _command.Parameters;

    /// <summary>Binds <paramref name="values"/> to the parameters in order and executes; returns the rows affected.</summary>
    public int Execute(params ReadOnlySpan<object?> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            _command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
        return _command.ExecuteNonQuery();
    }

    public void Dispose() => _command.Dispose();
}
