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
    public void RetryAfter_HalvesBackToTheMinimum_WhenRefusalsFallUnderAQuarterOfThoseTaken()
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
            for (var i = 0; i < 5; i++)
            {
                backoff.Taken();
            }
            _time.Advance(TimeSpan.FromSeconds(1));
            advice.Add(backoff.Refused());
        }

        // Each sample counts the refusal that took it: five taken against one refused.
        Assert.Equal([4, 2, 1, 1], advice);
    }

    // Refused clients waiting the maximum come back more slowly than requests are taken while the
    // server is still full: halving there would only bring them back to be refused again.
    [Fact]
    public void RetryAfter_Holds_WhileRefusalsAreBetweenAQuarterOfThoseTakenAndAllOfThem()
    {
        var backoff = new RefusalBackoff(1, 4, _time);
        for (var second = 0; second < 2; second++)
        {
            backoff.Refused();
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(4, backoff.Refused());

        var advice = new List<int>();
        for (var second = 0; second < 3; second++)
        {
            for (var i = 0; i < 3; i++)
            {
                backoff.Taken();
            }
            backoff.Refused();
            _time.Advance(TimeSpan.FromSeconds(1));
            advice.Add(backoff.Refused());
        }

        // Two refused (the window's and the sampling one) against three taken.
        Assert.Equal([4, 4, 4], advice);
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
