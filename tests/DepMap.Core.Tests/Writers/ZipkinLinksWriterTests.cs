using DepMap.Core.Linking;
using DepMap.Core.Writers;

namespace DepMap.Core.Tests.Writers;

public class ZipkinLinksWriterTests
{
    [Fact]
    public void Write_SortsLinksAndOmitsZeroErrorCount_AsZipkinDoes()
    {
        var json = ZipkinLinksWriter.Write([new DependencyLink("web", "db", 3, 1), new DependencyLink("app", "web", 2, 0)]);

        Assert.Equal("""[{"parent":"app","child":"web","callCount":2},{"parent":"web","child":"db","callCount":3,"errorCount":1}]""", json);
    }

    [Fact]
    public void Write_GivesEmptyArray_WhenThereAreNoLinks()
    {
        Assert.Equal("[]", ZipkinLinksWriter.Write([]));
    }

    [Fact]
    public void Write_EscapesNames_WhenTheyHoldQuotesAndHtml()
    {
        var json = ZipkinLinksWriter.Write([new DependencyLink("a\"<b>", "c\\d", 1, 0)]);

        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal("a\"<b>", document.RootElement[0].GetProperty("parent").GetString());
        Assert.Equal("c\\d", document.RootElement[0].GetProperty("child").GetString());
    }
}
