using Microsoft.Extensions.Configuration.Json;

namespace DepMap.Server.Hosting;

/// <summary>
/// DepMap is configured by the repository's root <c>appsettings.json</c>. The content root is the
/// working directory under <c>dotnet run --project src/DepMap.Server</c> and the project folder
/// under the tests' WebApplicationFactory, so the file is looked for from the content root
/// upwards; relative paths in it (the SQLite files) are relative to the folder that holds it.
/// </summary>
internal static class RootSettings
{
    private const string FileName = "appsettings.json";

    /// <summary>The folder holding the settings file, else the content root.</summary>
    public static string Folder(IHostEnvironment environment)
    {
        for (var folder = new DirectoryInfo(environment.ContentRootPath); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, FileName)))
            {
                return folder.FullName;
            }
        }
        return environment.ContentRootPath;
    }

    /// <summary>
    /// Adds the settings file right after the default JSON files, so environment variables and the
    /// command line still override it as usual.
    /// </summary>
    public static void AddRootSettings(this ConfigurationManager configuration, IHostEnvironment environment)
    {
        var path = Path.Combine(Folder(environment), FileName);
        if (!File.Exists(path) || Path.GetFullPath(environment.ContentRootPath) == Path.GetDirectoryName(path))
        {
            return;
        }
        var sources = configuration.Sources;
        var lastJson = -1;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource)
            {
                lastJson = i;
            }
        }
        var source = new JsonConfigurationSource { Path = path, Optional = false, ReloadOnChange = false };
        source.ResolveFileProvider();
        sources.Insert(lastJson + 1, source);
    }

    /// <summary>A path from the settings, made absolute against the settings file's folder.</summary>
    public static string ResolvePath(IHostEnvironment environment, string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(Folder(environment), path));
}
