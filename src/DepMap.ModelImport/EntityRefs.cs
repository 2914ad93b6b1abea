namespace DepMap.ModelImport;

/// <summary>
/// Backstage entity references, <c>[kind:][namespace/]name</c>, resolved as the catalog's
/// <c>parseEntityRef</c> does: a missing kind or namespace takes the context's default, a missing
/// kind with no default is an error (so <c>dependsOn</c> needs one), and refs compare
/// case-insensitively. Written as <c>kind:namespace/name</c> with a lower-case kind.
/// </summary>
internal static class EntityRefs
{
    public static string Parse(string text, string? defaultKind, string defaultNamespace, string path)
    {
        var trimmed = text.Trim();
        var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        string? kind = null;
        var rest = trimmed;
        // A colon after the slash belongs to the name, not to a kind.
        if (colon >= 0 && (slash < 0 || colon < slash))
        {
            kind = trimmed[..colon];
            rest = trimmed[(colon + 1)..];
        }
        slash = rest.IndexOf('/', StringComparison.Ordinal);
        var ns = slash < 0 ? defaultNamespace : rest[..slash];
        var name = slash < 0 ? rest : rest[(slash + 1)..];
        kind ??= defaultKind;
        if (string.IsNullOrEmpty(kind))
        {
            throw new ModelFormatException($"{path}: '{text}' has no kind; write it as kind:name (component:{name} or resource:{name}), as Backstage requires here");
        }
        if (name.Length == 0 || ns.Length == 0)
        {
            throw new ModelFormatException($"{path}: '{text}' is not an entity reference [kind:][namespace/]name");
        }
        return Make(kind, ns, name);
    }

    public static string Make(string kind, string ns, string name) => $"{kind.ToLowerInvariant()}:{ns}/{name}";
}
