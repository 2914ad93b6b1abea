namespace DepMap.Storage.PostgreSql;

/// <summary>The PostgreSQL database (Storage:Provider=PostgreSql): the span writer's, retention's and the health check's connections.</summary>
internal sealed class PostgreSqlStore(string connectionString)
{
    // Not a record: a record's ToString would print the password into any log of this object.
    public string ConnectionString { get; } = connectionString;
}
