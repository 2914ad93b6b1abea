using System.Text.RegularExpressions;
using DepMap.Core.Writers;

namespace DepMap.Core.Tests.Writers;

public class MermaidWriterTests
{
    // Checked by hand: same ids as the DOT; '%' is written as its code #37; like every character
    // outside the safe set.
    private const string LogisticsMermaid = """
        flowchart LR
          subgraph ns0 ["shop"]
            n0["logistics"]
            n2["tracking"]
          end
          n1[("logistics-db")]
          n3[("tracking-db")]
          n4(("user"))
          n0 -->|"10 calls, 0.0#37; errors, p99 30 ms"| n1
          n0 -->|"10 calls, 10.0#37; errors, p99 40 ms"| n2
          n2 -->|"10 calls, 0.0#37; errors, p99 20 ms"| n3
          n4 -->|"10 calls, 0.0#37; errors, p99 80 ms"| n0

        """;

    [Fact]
    public void Write_GivesHandCheckedFlowchart_WhenGraphIsTheLogisticsExample()
    {
        Assert.Equal(LogisticsMermaid, MermaidWriter.Write(SampleGraphs.Logistics()));
    }

    [Fact]
    public void Write_IsIdentical_WhenTracesArriveInAnotherOrder()
    {
        Assert.Equal(MermaidWriter.Write(SampleGraphs.Logistics()), MermaidWriter.Write(SampleGraphs.Logistics(reversed: true)));
    }

    [Fact]
    public void Write_EncodesEverythingOutsideSafeSet_WhenNamesAreHostile()
    {
        var lines = MermaidWriter.Write(SampleGraphs.Hostile()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        const string Label = "\"[A-Za-z0-9 .,:/_()+=?!@$*'~^#;-]*\"";
        var node = new Regex($@"^\s+n\d+(\[{Label}\]|\[\({Label}\)\]|\{{\{{{Label}\}}\}}|\(\[{Label}\]\)|\(\({Label}\)\))$");
        var edge = new Regex($@"^\s+n\d+ (-->|-\.->)\|{Label}\| n\d+$");
        var subgraph = new Regex($@"^\s+subgraph ns\d+ \[{Label}\]$");
        var other = new Regex(@"^(flowchart LR|\s+end|\s+classDef \w+ [^""\n]+|\s+class [n0-9,]+ \w+)$");
        Assert.All(lines, l => Assert.True(node.IsMatch(l) || edge.IsMatch(l) || subgraph.IsMatch(l) || other.IsMatch(l), l));
        Assert.Contains(lines, l => l.Contains("n14[\"unicode #26085;#26412;#35486; #128640; caf#233;\"]", StringComparison.Ordinal));
        Assert.Equal(SampleGraphs.HostileNames.Length, lines.Count(node.IsMatch));
    }
}
