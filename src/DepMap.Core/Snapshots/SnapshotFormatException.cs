namespace DepMap.Core.Snapshots;

/// <summary>A snapshot or graph JSON that cannot be read; the message names the JSON path and, for malformed JSON, the line and byte.</summary>
public sealed class SnapshotFormatException : FormatException
{
    public SnapshotFormatException(string path, string reason, Exception? inner = null)
        : base($"{path}: {reason}", inner)
    {
        JsonPath = path;
        Reason = reason;
    }

    public string JsonPath { get; }
    public string Reason { get; }
}
