namespace DepMap.Cli;

/// <summary>An input the command cannot use (a missing file, malformed JSON, an unreachable URL): exit 2 with this message.</summary>
internal sealed class InputException(string message, Exception? inner = null) : Exception(message, inner);
