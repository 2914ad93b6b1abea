using DepMap.Server.Features.Retention;
using DepMap.Tests.Shared.PostgreSql;
using static DepMap.Tests.Shared.PostgreSql.PostgresCommands;

namespace DepMap.Server.Tests.Aggregation;

/// <summary>Retention through the host's own handler on PostgreSQL, where spans go a whole day partition at a time.</summary>
[Trait("Provider", "PostgreSql")]
public class PostgreSqlRetentionTests
{
    [Fact]
    public async Task ApplyRetention_DropsTheDaysTheAggregationHasTakenIn_AndKeepsALaterDay()
    {
        await using var database = await PostgresDatabase.CreateEmptyAsync();
        using var factory = new AggregationFactory(settings: new()
        {
            ["Storage:Provider"] = "PostgreSql",
            ["ConnectionStrings:DepMap"] = database.ConnectionString,
        });
        // Six spans received on 2025-01-01 (the fake clock), into that day's partition.
        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.Otlp());
        await using var connection = await database.ConnectAsync();
        // The mark as an aggregation run leaves it past every span so far (the PostgreSQL
        // aggregation itself is not part of this change).
        await ExecuteAsync(connection,
            "INSERT INTO aggregation_mark (id, last_tx, last_span_id) SELECT 1, tx, id FROM spans ORDER BY tx DESC, id DESC LIMIT 1");
        // Two days on, six more spans the aggregation has not taken in.
        factory.Clock.Advance(TimeSpan.FromDays(2));
        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.Otlp());

        var result = await factory.SendAsync(new ApplyRetention());

        Assert.Equal(6, result.Spans);
        Assert.Equal(0, await CountAsync(connection, "SELECT count(*) FROM pg_class WHERE relname = 'spans_20250101'"));
        Assert.Equal(1, await CountAsync(connection, "SELECT count(*) FROM pg_class WHERE relname = 'spans_20250103'"));
        Assert.Equal(6, await CountAsync(connection, "SELECT count(*) FROM spans"));
    }
}
