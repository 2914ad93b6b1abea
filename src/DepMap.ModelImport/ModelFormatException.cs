namespace DepMap.ModelImport;

/// <summary>A model, rules or mapping file that cannot be used; the message names the place (document, field, line) and the reason.</summary>
public sealed class ModelFormatException(string message, Exception? inner = null) : Exception(message, inner);
