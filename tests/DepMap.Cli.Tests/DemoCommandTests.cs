namespace DepMap.Cli.Tests;

public sealed class DemoCommandTests
{
    [Fact]
    public async Task Demo_SendsOverOtlpHttpAndExits_WhenDurationIsOver()
    {
        // A real OTLP/HTTP receiver's answer: 200 to POST /v1/traces.
        using var receiver = new GraphServer(new() { ["/v1/traces"] = (200, []) });

        var (code, stdout, stderr) = await Cli.RunAsync("demo", "--endpoint", receiver.Url, "--protocol", "http/protobuf",
            "--duration", "3s", "--system", "logistics", "--rate", "20").WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal((0, ""), (code, stderr));
        Assert.Contains($"to {receiver.Url}v1/traces over OTLP/HTTP (protobuf) for 00:00:03", stdout, StringComparison.Ordinal);
        Assert.Matches(@"sent logistics \d+ traces \(\d+ spans\)\r?\n", stdout);
        Assert.DoesNotContain("could not be delivered", stdout, StringComparison.Ordinal);
        lock (receiver.Requests)
        {
            Assert.Contains("/v1/traces", receiver.Requests);
        }
    }

    [Theory]
    [InlineData("--endpoint", "not a url", "--endpoint: 'not a url' is not an http or https URL")]
    [InlineData("--endpoint", "ftp://127.0.0.1:4317", "--endpoint: 'ftp://127.0.0.1:4317' is not an http or https URL")]
    [InlineData("--protocol", "http/json", "--protocol: 'http/json' is not grpc or http/protobuf")]
    [InlineData("--duration", "5x", "--duration: '5x' is not a duration such as 30s, 5m or 1h")]
    [InlineData("--duration", "-1m", "--duration: '-1m' is not a duration")]
    [InlineData("--system", "forty", "--system: 'forty' is not one of logistics, thirty, all")]
    [InlineData("--change-after", "soon", "--change-after: 'soon' is not a duration")]
    [InlineData("--rate", "0", "--rate: '0' is not a number of traces per second")]
    public async Task Demo_ExitsOneNamingTheOption_WhenAnArgumentIsBad(string option, string value, string expected)
    {
        // Bounded, should a bad value slip through and the demo start.
        string[] bound = option == "--duration" ? [] : ["--duration", "1s"];
        var (code, stdout, stderr) = await Cli.RunAsync(["demo", option, value, .. bound]).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, code);
        Assert.Contains("depmap demo: " + expected, stderr, StringComparison.Ordinal);
        Assert.Empty(stdout);
    }
}
