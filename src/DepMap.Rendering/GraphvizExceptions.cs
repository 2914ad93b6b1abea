namespace DepMap.Rendering;

/// <summary>Graphviz is not installed (or not where configured); the message says how to install it.</summary>
public sealed class GraphvizNotFoundException : Exception
{
    public GraphvizNotFoundException()
    {
    }

    public GraphvizNotFoundException(string message)
        : base(message)
    {
    }

    public GraphvizNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal static GraphvizNotFoundException For(string path, Exception cause) => new(
        $"Graphviz '{path}' was not found. Install Graphviz (Debian/Ubuntu: `sudo apt-get install graphviz`, "
        + "macOS: `brew install graphviz`) or configure the path to `dot`.", cause);
}

/// <summary>Graphviz ran and failed: the message holds its exit code and what it wrote to stderr.</summary>
public sealed class GraphvizException : Exception
{
    public GraphvizException()
    {
    }

    public GraphvizException(string message)
        : base(message)
    {
    }

    public GraphvizException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Graphviz's exit code; on Unix 128 plus the signal when it crashed.</summary>
    public int? ExitCode { get; init; }

    internal bool Crashed => ExitCode > 128;
}

/// <summary>
/// Every Graphviz slot is taken and the queue is full, or no slot freed within the wait: the caller
/// should answer "busy, retry after <see cref="RetryAfter"/>" rather than start another process.
/// </summary>
public sealed class GraphvizBusyException : Exception
{
    public GraphvizBusyException()
    {
    }

    public GraphvizBusyException(string message)
        : base(message)
    {
    }

    public GraphvizBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>When a retry has a fair chance: about one layout's time.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);
}
