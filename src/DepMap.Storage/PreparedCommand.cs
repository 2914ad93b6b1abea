using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using SQLitePCL;

namespace DepMap.Storage;

/// <summary>
/// One SQL statement prepared once on a context's connection and open transaction, then re-bound
/// and re-executed per row: what the aggregation's writers use where EF Core's change tracking
/// cost more than the writes themselves. Named parameters (<c>@name</c>) in the order added.
/// On SQLite the statement runs through SQLite's own API on the same connection (and so inside the
/// same transaction): Microsoft.Data.Sqlite's per-execution and per-parameter work cost about as
/// much as SQLite's upsert itself, for the hundreds of thousands of statistics rows a rebuild writes.
/// </summary>
internal sealed class PreparedCommand : IDisposable
{
    private readonly DbCommand? _command;
    private readonly sqlite3? _handle;
    private readonly sqlite3_stmt? _statement;
    private readonly int[] _indexes = [];

    public PreparedCommand(DbContext db, string sql, params (string Name, DbType Type)[] parameters)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Prepared writes run inside the caller's transaction.");
        if (transaction.Connection is SqliteConnection { Handle: { } handle })
        {
            _handle = handle;
            SqliteResults.Check(handle, raw.sqlite3_prepare_v2(handle, sql, out var statement));
            _statement = statement;
            _indexes = [.. parameters.Select(p => raw.sqlite3_bind_parameter_index(statement, p.Name))];
            return;
        }
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

    /// <summary>
    /// Binds parameter <paramref name="parameter"/> (its place in the constructor's list) without
    /// boxing: a rebuild binds tens of millions of values, and the boxes of <see cref="Execute"/>
    /// were a twentieth of its allocation. Then <see cref="Step"/>.
    /// </summary>
    public void Bind(int parameter, long value)
    {
        if (_statement is null)
        {
            _command!.Parameters[parameter].Value = value;
            return;
        }
        SqliteResults.Check(_handle!, raw.sqlite3_bind_int64(_statement, _indexes[parameter], value));
    }

    /// <summary>Binds a flag parameter (SQLite stores 1 or 0).</summary>
    public void Bind(int parameter, bool value)
    {
        if (_statement is null)
        {
            _command!.Parameters[parameter].Value = value;
            return;
        }
        SqliteResults.Check(_handle!, raw.sqlite3_bind_int64(_statement, _indexes[parameter], value ? 1 : 0));
    }

    /// <summary>Binds an integer parameter, null as NULL.</summary>
    public void Bind(int parameter, long? value)
    {
        if (value is { } number)
        {
            Bind(parameter, number);
        }
        else if (_statement is null)
        {
            _command!.Parameters[parameter].Value = DBNull.Value;
        }
        else
        {
            SqliteResults.Check(_handle!, raw.sqlite3_bind_null(_statement, _indexes[parameter]));
        }
    }

    /// <summary>Binds a text parameter (null as NULL) without boxing and, on SQLite, without a UTF-8 copy on the managed heap.</summary>
    public void Bind(int parameter, string? value)
    {
        if (_statement is null)
        {
            _command!.Parameters[parameter].Value = (object?)value ?? DBNull.Value;
            return;
        }
        // SQLite converts the UTF-16 text to the database's UTF-8 itself, so the stored bytes are
        // the same as binding UTF-8, without the array the UTF-8 overload allocates per value.
        SqliteResults.Check(_handle!, value is null
            ? raw.sqlite3_bind_null(_statement, _indexes[parameter])
            : raw.sqlite3_bind_text16(_statement, _indexes[parameter], value.AsSpan()));
    }

    /// <summary>Binds a blob parameter (null as NULL).</summary>
    public void Bind(int parameter, byte[]? value)
    {
        if (_statement is null)
        {
            _command!.Parameters[parameter].Value = (object?)value ?? DBNull.Value;
            return;
        }
        SqliteResults.Check(_handle!, value is null
            ? raw.sqlite3_bind_null(_statement, _indexes[parameter])
            : raw.sqlite3_bind_blob(_statement, _indexes[parameter], value));
    }

    /// <summary>Binds a blob parameter from a buffer the caller keeps until <see cref="Step"/> (an empty one as an empty blob, not NULL).</summary>
    public void Bind(int parameter, ReadOnlySpan<byte> value)
    {
        if (_statement is null)
        {
            _command!.Parameters[parameter].Value = value.ToArray();
            return;
        }
        // SQLite copies the bytes (SQLITE_TRANSIENT); an empty span has no pointer, which would bind NULL.
        SqliteResults.Check(_handle!, value.IsEmpty
            ? raw.sqlite3_bind_zeroblob(_statement, _indexes[parameter], 0)
            : raw.sqlite3_bind_blob(_statement, _indexes[parameter], value));
    }

    /// <summary>Executes with the values bound since the last execution; returns the rows affected.</summary>
    public int Step()
    {
        if (_statement is null)
        {
            return _command!.ExecuteNonQuery();
        }
        var result = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (result != raw.SQLITE_DONE)
        {
            SqliteResults.Check(_handle!, result);
        }
        return raw.sqlite3_changes(_handle);
    }

    /// <summary>Binds <paramref name="values"/> to the parameters in order and executes; returns the rows affected.</summary>
    public int Execute(params ReadOnlySpan<object?> values)
    {
        if (_statement is null)
        {
            for (var i = 0; i < values.Length; i++)
            {
                _command!.Parameters[i].Value = values[i] ?? DBNull.Value;
            }
            return _command!.ExecuteNonQuery();
        }
        for (var i = 0; i < values.Length; i++)
        {
            SqliteResults.Check(_handle!, values[i] switch
            {
                null => raw.sqlite3_bind_null(_statement, _indexes[i]),
                long number => raw.sqlite3_bind_int64(_statement, _indexes[i], number),
                int number => raw.sqlite3_bind_int64(_statement, _indexes[i], number),
                byte number => raw.sqlite3_bind_int64(_statement, _indexes[i], number),
                bool flag => raw.sqlite3_bind_int64(_statement, _indexes[i], flag ? 1 : 0),
                string text => raw.sqlite3_bind_text(_statement, _indexes[i], text),
                byte[] bytes => raw.sqlite3_bind_blob(_statement, _indexes[i], bytes),
                var other => throw new ArgumentException($"No SQLite binding for a {other.GetType().Name}.", nameof(values)),
            });
        }
        var result = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (result != raw.SQLITE_DONE)
        {
            SqliteResults.Check(_handle!, result);
        }
        return raw.sqlite3_changes(_handle);
    }

    public void Dispose()
    {
        _statement?.Dispose();
        _command?.Dispose();
    }
}
