namespace DepMap.Server.Tests.Hosting;

/// <summary>
/// Hangfire's log provider is process-wide: after a host stops, the provider may still be that
/// host's until another host sets its own, and Hangfire classes built meanwhile by a starting host
/// take their loggers from it (the full suite once failed three PostgreSQL host tests that way).
/// </summary>
public class HangfireLoggingTests
{
    [Fact]
    public void HangfireLogger_IsSilentNotAnError_AfterTheHostWhoseLoggingItUsesHasStopped()
    {
        using (var factory = new DepMapFactory())
        {
            _ = factory.CreateClient();
        }

        // Another test's host may have started since and set its own provider; either way no throw.
        var logger = Hangfire.Logging.LogProvider.GetLogger("DepMap.Tests");

        Assert.NotNull(logger);
    }
}
