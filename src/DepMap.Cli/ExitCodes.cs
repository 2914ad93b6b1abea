namespace DepMap.Cli;

/// <summary>The process exit codes, documented in the README; scripts can tell the failures apart.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>A bad command line (System.CommandLine's own code for parse errors), or a focus on an unknown service.</summary>
    public const int Usage = 1;

    /// <summary>Graphviz <c>dot</c> is missing or failed, so no SVG could be drawn.</summary>
    public const int Graphviz = 2;

    /// <summary>An input file could not be read or decoded; with <c>--keep-going</c> the output is still written.</summary>
    public const int BadInput = 3;

    /// <summary>The output file could not be written.</summary>
    public const int CannotWrite = 4;
}
