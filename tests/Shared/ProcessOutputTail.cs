using System.Collections.Concurrent;

namespace DepMap.Tests.Shared;

/// <summary>
/// The last lines a started process wrote (stdout and stderr, as they arrive on the reader
/// threads), kept for the message of a failing test or bench; older lines are dropped so a long
/// run does not hold its whole log.
/// </summary>
public sealed class ProcessOutputTail(int maxLines = 2_000)
{
    private readonly ConcurrentQueue<string> _lines = new();

    /// <summary>Keeps <paramref name="line"/>; null (the stream's end) is ignored.</summary>
    public void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _lines.Enqueue(line);
        while (_lines.Count > maxLines)
        {
            _lines.TryDequeue(out _);
        }
    }

    public override string ToString() => string.Join('\n', _lines);
}
