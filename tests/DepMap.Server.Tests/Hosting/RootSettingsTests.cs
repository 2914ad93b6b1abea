using DepMap.Server.Features.Snapshots;
using DepMap.Server.Hosting;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Tests.Hosting;

/// <summary>
/// `dotnet run --project src/DepMap.Server` makes src/DepMap.Server the content root; relative
/// paths in the root appsettings.json must still land beside it (the repository's graphs/).
/// </summary>
public sealed class RootSettingsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("depmap-root-").FullName;

    [Fact]
    public void SnapshotDirectory_IsBesideTheSettingsFile_WhenTheContentRootIsTheProjectFolder()
    {
        var environment = Environment();
        var files = new SnapshotFiles(Options.Create(new SnapshotOptions { Directory = "graphs" }), environment, null!, null!,
            NullLogger<SnapshotFiles>.Instance);

        Assert.Equal(Path.Combine(_root, "graphs"), files.Directory);
    }

    [Fact]
    public void ResolvePath_KeepsAnAbsolutePath_AndResolvesARelativeOneFromTheSettingsFolder()
    {
        var environment = Environment();

        Assert.Equal(Path.Combine(_root, "data", "depmap.db"), RootSettings.ResolvePath(environment, "data/depmap.db"));
        Assert.Equal("/var/lib/depmap/graphs", RootSettings.ResolvePath(environment, "/var/lib/depmap/graphs"));
    }

    private HostEnvironmentStub Environment()
    {
        File.WriteAllText(Path.Combine(_root, "appsettings.json"), "{}");
        var project = Directory.CreateDirectory(Path.Combine(_root, "src", "DepMap.Server")).FullName;
        return new HostEnvironmentStub { ContentRootPath = project };
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private sealed class HostEnvironmentStub : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;
        public string ApplicationName { get; set; } = "DepMap.Server";
        public string ContentRootPath { get; set; } = "";
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
