namespace DepMap.Core.Linking;

/// <summary>
/// Zipkin's tree key: a span id, or for a shared server span its id qualified by its service,
/// because several servers may answer one client span id. <see cref="None"/> is "no parent".
/// </summary>
internal readonly struct NodeKey : IEquatable<NodeKey>
{
    private readonly ulong _id;
    private readonly bool _shared;
    private readonly string? _service;

    private NodeKey(ulong id, bool shared, string? service)
    {
        _id = id;
        _shared = shared;
        _service = service;
    }

    public static NodeKey None => default;

    public bool IsNone => _id == 0 && !_shared;

    public static NodeKey Plain(ulong id) => new(id, false, null);

    public static NodeKey Shared(ulong id, string? service) => new(id, true, service);

    public bool Equals(NodeKey other) =>
        _id == other._id && _shared == other._shared && string.Equals(_service, other._service, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is NodeKey other && Equals(other);

    public override int GetHashCode() => _shared
        ? HashCode.Combine(_id, _service is null ? 1 : _service.GetHashCode(StringComparison.Ordinal))
        : _id.GetHashCode();
}
