using System.Text;

namespace DepMap.Ingest.Common;

/// <summary>
/// Where a JSON decoder is, kept as a stack of constant names and indexes so following it costs no
/// allocation; it becomes text (<c>resourceSpans[0].scopeSpans[1].spans[3].traceId</c>) only for an error.
/// </summary>
internal sealed class JsonPath
{
    private readonly List<Segment> _segments = new(8);

    public void Push(string property) => _segments.Add(new Segment(property, -1));

    public void PushIndex(int index) => _segments.Add(new Segment(null, index));

    public void SetIndex(int index) => _segments[^1] = new Segment(null, index);

    public void Pop() => _segments.RemoveAt(_segments.Count - 1);

    public SpanDecodeException Error(string reason)
    {
        var path = ToString();
        return new SpanDecodeException(path.Length == 0 ? reason : path + ": " + reason);
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var segment in _segments)
        {
            if (segment.Name is null)
            {
                text.Append('[').Append(segment.Index).Append(']');
            }
            else
            {
                if (text.Length > 0)
                {
                    text.Append('.');
                }
                text.Append(segment.Name);
            }
        }
        return text.ToString();
    }

    private readonly record struct Segment(string? Name, int Index);
}
