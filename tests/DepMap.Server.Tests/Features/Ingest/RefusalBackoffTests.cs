using DepMap.Server.Features.Ingest;
using Microsoft.Extensions.Time.Testing;

namespace DepMap.Server.Tests.Features.Ingest;

public class RefusalBackoffTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void RetryAfter_DoublesUpToTheMaximum_WhileMoreAreRefusedThanTaken()
    {
        var backoff = new RefusalBackoff(1, 4, _time);
        Assert.Equal(1, backoff.Refused());

        var advice = new List<int>();
        for (var second = 0; second < 4; second++)
        {
            backoff.Taken();
            backoff.Refused();
            _time.Advance(TimeSpan.FromSeconds(1));
            advice.Add(backoff.Refused());
        }

        Assert.Equal([2, 4, 4, 4], advice);
    }

    [Fact]
    public void RetryAfter_HalvesBackToTheMinimum_WhenFewerAreRefusedThanTaken()
    {
        var backoff = new RefusalBackoff(1, 8, _time);
        for (var second = 0; second < 3; second++)
        {
            backoff.Refused();
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(8, backoff.Refused());

        var advice = new List<int>();
        for (var second = 0; second < 4; second++)
        {
            backoff.Taken();
            backoff.Taken();
            _time.Advance(TimeSpan.FromSeconds(1));
            advice.Add(backoff.Refused());
        }

        // Each sample counts the refusal that took it: two taken against one refused.
        Assert.Equal([4, 2, 1, 1], advice);
    }

    [Fact]
    public void RetryAfter_IsTheMinimumAgain_AfterAQuietSpell()
    {
        var backoff = new RefusalBackoff(2, 8, _time);
        for (var second = 0; second < 3; second++)
        {
            backoff.Refused();
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(8, backoff.Refused());

        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(2, backoff.Refused());
    }
}
