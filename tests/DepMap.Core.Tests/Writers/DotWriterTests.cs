using DepMap.Core.Graph;
using DepMap.Core.Writers;

namespace DepMap.Core.Tests.Writers;

public class DotWriterTests
{
    // Checked by hand: ids follow names (logistics, logistics-db, tracking, tracking-db, user);
    // shop is a cluster; databases are cylinders; the 10%-error edge is red; p99s are the single
    // latencies each edge saw (client side where reported); equal traffic gives equal widths.
    private const string LogisticsDot = """
        digraph depmap {
          graph [rankdir=LR, fontname="Helvetica", fontsize=10, nodesep=0.4, ranksep=0.8];
          node [fontname="Helvetica", fontsize=10];
          edge [fontname="Helvetica", fontsize=8, color="#555555", fontcolor="#333333"];
          subgraph cluster_0 {
            graph [label="shop", style="rounded,dashed", color="#999999"];
            n0 [label="logistics", shape=box, style="rounded"];
            n2 [label="tracking", shape=box, style="rounded"];
          }
          n1 [label="logistics-db", shape=cylinder];
          n3 [label="tracking-db", shape=cylinder];
          n4 [label="user", shape=circle, width=0.6, fixedsize=false];
          n0 -> n1 [label="10 calls\n0.0% errors\np99 30 ms", penwidth=5.0];
          n0 -> n2 [label="10 calls\n10.0% errors\np99 40 ms", penwidth=5.0, color="#d62728", fontcolor="#d62728"];
          n2 -> n3 [label="10 calls\n0.0% errors\np99 20 ms", penwidth=5.0];
          n4 -> n0 [label="10 calls\n0.0% errors\np99 80 ms", penwidth=5.0];
        }

        """;

    [Fact]
    public void Write_GivesHandCheckedDot_WhenGraphIsTheLogisticsExample()
    {
        Assert.Equal(LogisticsDot, DotWriter.Write(SampleGraphs.Logistics()));
    }

    [Fact]
    public void Write_IsIdentical_WhenTracesArriveInAnotherOrder()
    {
        Assert.Equal(DotWriter.Write(SampleGraphs.Logistics()), DotWriter.Write(SampleGraphs.Logistics(reversed: true)));
    }

    [Fact]
    public void Write_AddsCaptionHealthAndDecorations_WhenAsked()
    {
        var graph = SampleGraphs.Logistics();
        graph.FindNode("tracking")!.Health = NodeHealth.Failing;

        var dot = DotWriter.Write(graph, new DotWriterOptions
        {
            Caption = "dot timed out: \"sfdp\" layout used",
            Splines = false,
            Clusters = false,
            EdgeDecoration = e => e.Target.Name == "tracking-db" ? new DotDecoration(Color: "#2ca02c", Style: "dashed", ExtraLabel: "added") : null,
        });

        Assert.Contains("splines=false, labelloc=b, labeljust=l, label=\"dot timed out: \\\"sfdp\\\" layout used\"];", dot);
        Assert.Contains("n2 [label=\"tracking\", shape=box, style=\"rounded,filled\", fillcolor=\"#f8c9c9\"];", dot);
        Assert.Contains("n2 -> n3 [label=\"10 calls\\n0.0% errors\\np99 20 ms\\nadded\", penwidth=5.0, color=\"#2ca02c\", fontcolor=\"#2ca02c\", style=\"dashed\"];", dot);
        Assert.DoesNotContain("cluster", dot);
    }

    [Fact]
    public void Write_KeepsEveryHostileNameInsideOneQuotedString()
    {
        var dot = DotWriter.Write(SampleGraphs.Hostile());

        // Outside quoted strings only the writer's own tokens may appear: ids, keywords, numbers.
        var outside = new System.Text.StringBuilder();
        var inQuotes = false;
        for (var i = 0; i < dot.Length; i++)
        {
            if (inQuotes && dot[i] == '\\')
            {
                Assert.True(i + 1 < dot.Length && dot[i + 1] != '\n', "a backslash must not escape a line end");
                i++;
                continue;
            }
            if (dot[i] == '"')
            {
                inQuotes = !inQuotes;
                continue;
            }
            if (inQuotes)
            {
                Assert.NotEqual('\n', dot[i]);
                Assert.False(char.IsControl(dot[i]), $"control character U+{(int)dot[i]:X4} in a string");
            }
            else
            {
                outside.Append(dot[i]);
            }
        }
        Assert.False(inQuotes);
        Assert.Matches(@"^[A-Za-z0-9_\s\[\]=,;{}\->.]*$", outside.ToString());
        Assert.Equal(SampleGraphs.HostileNames.Length, System.Text.RegularExpressions.Regex.Count(dot, @"^\s*n\d+ \[label=", System.Text.RegularExpressions.RegexOptions.Multiline));
    }

    [Fact]
    public void Write_EscapesGraphvizLabelEscapesAndEntities_WhenNameContainsThem()
    {
        var dot = DotWriter.Write(SampleGraphs.Hostile());

        Assert.Contains("[label=\"back\\\\slash\\\\N\\\\G\"", dot);
        Assert.Contains("[label=\"<b>html</b> &amp;amp; <script>alert(1)</script>\"", dot);
        Assert.Contains("[label=\"unicode 日本語 🚀 café\"", dot);
        Assert.Contains("[label=\"lone \uFFFD surrogate\"", dot);
    }
}
