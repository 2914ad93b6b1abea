using System.Text;

namespace DepMap.Storage.Spans;

/// <summary>
/// One string object per distinct service, operation, system or destination name while a batch of
/// stored spans is decoded: a hundred thousand spans name a few hundred services, and allocating
/// each name again per span was most of what decoding allocated. Bounded, so a field of unexpectedly
/// high cardinality only stops being shared. Not thread-safe: one reader owns it.
/// </summary>
public sealed class SpanStrings(int capacity = 16_384)
{
    private const int LongestShared = 256;

    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > LongestShared)
        {
            return Encoding.UTF8.GetString(utf8);
        }
        Span<char> chars = stackalloc char[LongestShared];
        var length = Encoding.UTF8.GetChars(utf8, chars);
        var lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(chars[..length], out var shared))
        {
            return shared;
        }
        var value = new string(chars[..length]);
        if (_strings.Count < capacity)
        {
            _strings.Add(value, value);
        }
        return value;
    }
}
