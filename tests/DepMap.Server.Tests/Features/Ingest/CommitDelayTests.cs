using DepMap.Server.Features.Ingest;

namespace DepMap.Server.Tests.Features.Ingest;

public class CommitDelayTests
{
    [Fact]
    public void Predict_DividesPendingSpansByTheRateMeasuredUnderBacklog()
    {
        var delay = new CommitDelay();
        delay.Committed(10_000, TimeSpan.FromMilliseconds(100), hadBacklog: true);

        Assert.Equal(100_000, delay.SpansPerSecond, 6);
        Assert.Equal(TimeSpan.FromSeconds(0.5), delay.Predict(50_000, TimeSpan.Zero));
    }

    [Fact]
    public void Predict_AddsTheOldestWaitingWritesAge()
    {
        var delay = new CommitDelay();
        delay.Committed(10_000, TimeSpan.FromMilliseconds(100), hadBacklog: true);

        Assert.Equal(TimeSpan.FromSeconds(3.5), delay.Predict(50_000, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public void Predict_CountsOnlyTheWaitersAge_WhenNoCommitHadABacklog()
    {
        // A writer that keeps up commits small groups: 1 span in 10 ms would predict 100 s for the
        // next 10,000 spans, and refuse the first burst after a quiet spell.
        var delay = new CommitDelay();
        delay.Committed(1, TimeSpan.FromMilliseconds(10), hadBacklog: false);

        Assert.Equal(0, delay.SpansPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(1), delay.Predict(10_000, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void SpansPerSecond_FollowsRecentCommits_WhenTheWriterSlowsDown()
    {
        var delay = new CommitDelay();
        delay.Committed(100_000, TimeSpan.FromSeconds(1), hadBacklog: true);
        for (var i = 0; i < 20; i++)
        {
            delay.Committed(10_000, TimeSpan.FromSeconds(1), hadBacklog: true);
        }

        Assert.InRange(delay.SpansPerSecond, 10_000, 10_500);
    }
}
