namespace DepMap.Cli.Tests;

public class ThirtyServiceExampleTests
{
    /// <summary>
    /// The committed example is the generator's output, so the ranking in the README comes from the
    /// system docs/ranking.md describes. To regenerate it after changing the generator:
    /// <c>DEPMAP_WRITE_EXAMPLE=$PWD/docs/examples dotnet test tests/DepMap.Cli.Tests --filter ThirtyServiceExampleTests</c>.
    /// </summary>
    [Fact]
    public async Task ThirtyServiceExample_IsTheGeneratorsOutput()
    {
        var generated = ThirtyServiceExample.ZipkinJson();
        if (Environment.GetEnvironmentVariable("DEPMAP_WRITE_EXAMPLE") is { Length: > 0 } folder)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, ThirtyServiceExample.FileName), generated);
        }

        Assert.Equal(generated, await File.ReadAllTextAsync(Cli.Example(ThirtyServiceExample.FileName)));
    }
}
