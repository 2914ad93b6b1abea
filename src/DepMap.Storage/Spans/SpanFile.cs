using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace DepMap.Storage.Spans;

/// <summary>
/// On SQLite the span table lives in a file of its own beside the database (<c>depmap.db</c> →
/// <c>depmap.spans.db</c>). SQLite has one write lock per file: with the spans in the same file,
/// every aggregation batch held ingest's commits for the 30-50 ms of its write (500 services,
/// 20,000 spans a batch), which was most of ingest's p99 at 50,000 spans/s. The span writer opens
/// the span file directly; every EF Core connection attaches it as <see cref="Schema"/>, where
/// SQLite finds the <c>spans</c> table by its plain name, so the model and every query stay as
/// they are and PostgreSQL, with no such lock, keeps one database.
/// </summary>
public static class SpanFile
{
    /// <summary>The name the span file is attached under.</summary>
    public const string Schema = "spanfile";

    /// <summary>Uses SQLite at <paramref name="connectionString"/> with the span file attached to every connection.</summary>
    public static DbContextOptionsBuilder UseDepMapSqlite(this DbContextOptionsBuilder options, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.UseSqlite(connectionString).AddInterceptors(new Attacher(PathFor(connectionString)), new DeferredTransactions());
    }

    /// <inheritdoc cref="UseDepMapSqlite(DbContextOptionsBuilder, string)"/>
    public static DbContextOptionsBuilder<DepMapDbContext> UseDepMapSqlite(this DbContextOptionsBuilder<DepMapDbContext> options, string connectionString)
    {
        UseDepMapSqlite((DbContextOptionsBuilder)options, connectionString);
        return options;
    }

    /// <summary>The span file's connection string: the database's, with the span file as its data source.</summary>
    public static string ConnectionStringFor(string databaseConnectionString)
    {
        var builder = new SqliteConnectionStringBuilder(databaseConnectionString);
        builder.DataSource = PathFor(databaseConnectionString);
        return builder.ToString();
    }

    /// <summary>Where the span file of the database at <paramref name="databaseConnectionString"/> is.</summary>
    public static string PathFor(string databaseConnectionString)
    {
        var builder = new SqliteConnectionStringBuilder(databaseConnectionString);
        if (builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:")
        {
            // Each connection would see a different in-memory span table, and the span writer none.
            throw new InvalidOperationException("DepMap needs a database file: ConnectionStrings:DepMap names an in-memory database.");
        }
        var path = builder.DataSource;
        return Path.Combine(Path.GetDirectoryName(path) ?? "", Path.GetFileNameWithoutExtension(path) + ".spans" + Path.GetExtension(path));
    }

    /// <summary>
    /// The table's definition in the span file, as the first migration created it in the database
    /// (AUTOINCREMENT: ids never go back, even once retention has deleted every row, because the
    /// aggregation's mark is an id).
    /// </summary>
    internal const string CreateTableSql =
        $"CREATE TABLE IF NOT EXISTS {Schema}.{SpanRow.Table} (" +
        $"{SpanRow.IdColumn} INTEGER NOT NULL CONSTRAINT PK_spans PRIMARY KEY AUTOINCREMENT, " +
        $"{SpanRow.TraceIdHighColumn} INTEGER NOT NULL, {SpanRow.TraceIdLowColumn} INTEGER NOT NULL, " +
        $"{SpanRow.ReceivedAtColumn} INTEGER NOT NULL, {SpanRow.DataColumn} BLOB NOT NULL);";

    /// <summary>
    /// Begins EF Core's transactions deferred. Microsoft.Data.Sqlite begins them IMMEDIATE, which
    /// takes the write lock of every attached file at once: each aggregation batch then held the span
    /// file's too, and ingest's commits waited 35 ms for it as before the split. A deferred
    /// transaction locks a file when it first writes to it. (One that read a file first could find it
    /// changed by another writer when it comes to write, SQLITE_BUSY_SNAPSHOT; DepMap's transactions
    /// open with their writes: the aggregation's with the mark, SaveChanges' and migrations' with theirs.)
    /// </summary>
    private sealed class DeferredTransactions : DbTransactionInterceptor
    {
        public override InterceptionResult<DbTransaction> TransactionStarting(
            DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result) =>
            Begin(connection, eventData, result);

        public override ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
            DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Begin(connection, eventData, result));

        private static InterceptionResult<DbTransaction> Begin(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result) =>
            connection is SqliteConnection sqlite && eventData.IsolationLevel == System.Data.IsolationLevel.Unspecified
                ? InterceptionResult<DbTransaction>.SuppressWithResult(sqlite.BeginTransaction(deferred: true))
                : result;
    }

    /// <summary>Attaches the span file to each connection EF Core opens (a pooled connection keeps it attached).</summary>
    private sealed class Attacher(string path) : DbConnectionInterceptor
    {
        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Attach(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Attach(connection);
            return Task.CompletedTask;
        }

        private void Attach(DbConnection connection)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*) FROM pragma_database_list WHERE name = '{Schema}';";
            if (Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0)
            {
                return;
            }
            command.CommandText = $"ATTACH DATABASE $path AS {Schema}; PRAGMA {Schema}.journal_mode=WAL; {CreateTableSql}";
            var parameter = command.CreateParameter();
            parameter.ParameterName = "$path";
            parameter.Value = path;
            command.Parameters.Add(parameter);
            command.ExecuteNonQuery();
        }
    }
}
