using DepMap.Server.Features.Ingest;
using Microsoft.Extensions.Time.Testing;

namespace DepMap.Server.Tests.Features.Ingest;

public class ReadyBodiesTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void PredictedWait_DividesWaitingBytesByTheRateTheyWereAnsweredAt()
    {
        var ready = new ReadyBodies(_time);
        ready.Read(3_000_000);
        OpenWindow(ready);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        ready.Answered(500_000);

        // 500,000 bytes answered in 0.5 s: the 2,500,000 still waiting take 2.5 s.
        Assert.Equal(TimeSpan.FromSeconds(2.5), ready.PredictedWait());
        Assert.Equal(1_000_000, ready.BytesPerSecond);
    }

    [Fact]
    public void PredictedWait_IsZero_WhenNothingWaits()
    {
        var ready = new ReadyBodies(_time);
        ready.Read(2_000_000);
        OpenWindow(ready);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        ready.Answered(1_000_000);
        Assert.Equal(TimeSpan.FromSeconds(0.5), ready.PredictedWait());

        ready.Answered(1_000_000);

        // The rate is known, but nothing is left to wait behind.
        Assert.Equal(TimeSpan.Zero, ready.PredictedWait());
    }

    [Fact]
    public void BytesPerSecond_IsNotMeasured_AcrossAnIdleSpell()
    {
        // Nothing waited when the window opened: a quiet second is not a slow server.
        var ready = new ReadyBodies(_time);
        ready.PredictedWait();
        _time.Advance(TimeSpan.FromMilliseconds(300));
        ready.Read(1_000_000);
        ready.PredictedWait();

        Assert.Equal(0, ready.BytesPerSecond);
        Assert.Equal(TimeSpan.Zero, ready.PredictedWait());
    }

    [Fact]
    public void PredictedWait_Grows_WhileNothingIsAnswered()
    {
        var ready = new ReadyBodies(_time);
        ready.Read(2_000_000);
        OpenWindow(ready);
        _time.Advance(TimeSpan.FromMilliseconds(250));
        ready.Answered(1_000_000); // 4 MB/s: the rest would take 0.25 s
        var before = ready.PredictedWait();
        _time.Advance(TimeSpan.FromMilliseconds(250));

        // A window that answered nothing: 750,000 bytes (the first window's, decayed) in 0.4375 s.
        var after = ready.PredictedWait();

        Assert.Equal(TimeSpan.FromSeconds(0.25), before);
        Assert.Equal(1_000_000 / (750_000 / 0.4375), after.TotalSeconds, 6);
    }

    // A quarter second later the next prediction opens a window with the bodies read so far waiting.
    private void OpenWindow(ReadyBodies ready)
    {
        _time.Advance(TimeSpan.FromMilliseconds(250));
        ready.PredictedWait();
    }
}
