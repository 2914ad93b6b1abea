using System.Net;
using System.Net.Sockets;

namespace DepMap.Tests.Shared;

/// <summary>
/// What the tests and benches that start real processes ask of the machine: where the repository
/// is (to find the built server and the docs) and a port no one listens on.
/// </summary>
public static class TestMachine
{
    /// <summary>The folder holding DepMap.sln, found upwards from the running test's binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "DepMap.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("DepMap.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// The server's DepMap.Server.dll built in the running test's configuration and target framework
    /// (its binaries are in bin/&lt;configuration&gt;/&lt;tfm&gt;/; building a test project that
    /// references the server builds it).
    /// </summary>
    public static string BuiltServerDll()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!.Name;
        var dll = Path.Combine(RepositoryRoot(), "src", "DepMap.Server", "bin", configuration, tfm.Name, "DepMap.Server.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"the server is not built: dotnet build -c {configuration} src/DepMap.Server", dll);
    }

    /// <summary>
    /// A loopback port free at the moment of asking (the listener that found it is closed before
    /// the caller binds it, so another process could take it in between; on a test machine that
    /// race has not been seen).
    /// </summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
