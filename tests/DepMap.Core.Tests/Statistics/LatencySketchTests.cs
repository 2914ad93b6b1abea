using DepMap.Core.Statistics;
using Xunit.Abstractions;

namespace DepMap.Core.Tests.Statistics;

public class LatencySketchTests(ITestOutputHelper output)
{
    private static readonly double[] Quantiles = [0.5, 0.9, 0.95, 0.99];

    public static TheoryData<string, long[]> SkewedSets => new()
    {
        { "lognormal", SkewedData.LogNormal(100_000, seed: 1) },
        { "lognormal-wide", SkewedData.LogNormal(50_000, seed: 2, medianNano: 3_000_000, sigma: 2.0) },
        { "pareto", SkewedData.Pareto(100_000, seed: 3) },
        { "bimodal", SkewedData.Bimodal(100_000, seed: 4) },
        { "tiny", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
    };

    [Theory]
    [MemberData(nameof(SkewedSets))]
    public void Quantile_IsWithinOnePercentOfExact_WhenDataIsSkewed(string name, long[] values)
    {
        var sketch = new LatencySketch();
        foreach (var v in values)
        {
            sketch.Add(v);
        }
        var sorted = values.Order().ToArray();

        foreach (var q in Quantiles)
        {
            var exact = SkewedData.ExactQuantile(sorted, q);
            var estimate = sketch.Quantile(q);
            var relativeError = Math.Abs(estimate - exact) / exact;
            Assert.True(relativeError <= 0.01, $"{name} p{q * 100}: exact {exact}, sketch {estimate}, error {relativeError:P3}");
        }
        Assert.Equal(values.Length, sketch.Count);
        Assert.Equal(values.Aggregate(Int128.Zero, (s, v) => s + v), sketch.Sum);
        Assert.InRange(sketch.Min, sorted[0] * 0.99, sorted[0] * 1.01);
        Assert.InRange(sketch.Max, sorted[^1] * 0.99, sorted[^1] * 1.01);
    }

    [Fact]
    public void Subtract_RestoresOriginalBytes_WhenSameValuesWereAdded()
    {
        var original = Sketch(SkewedData.LogNormal(5_000, seed: 5));
        var before = original.Serialize();
        var extra = Sketch(SkewedData.Pareto(777, seed: 6).Append(0).Append(-3));

        original.Merge(extra);
        Assert.NotEqual(before, original.Serialize());
        original.Subtract(extra);

        Assert.Equal(before, original.Serialize());
    }

    [Fact]
    public void Subtract_LeavesEmptySketch_WhenEverythingIsTakenBack()
    {
        var values = SkewedData.Bimodal(1_000, seed: 7);
        var sketch = Sketch(values);

        sketch.Subtract(Sketch(values));

        Assert.True(sketch.IsEmpty);
        Assert.Equal(0, sketch.Sum);
        Assert.True(double.IsNaN(sketch.Quantile(0.99)));
        Assert.Equal(new LatencySketch().Serialize(), sketch.Serialize());
    }

    [Fact]
    public void Subtract_ThrowsAndChangesNothing_WhenValuesWereNeverAdded()
    {
        var sketch = Sketch([1_000_000, 2_000_000]);
        var before = sketch.Serialize();

        Assert.Throws<InvalidOperationException>(() => sketch.Subtract(Sketch([1_000_000, 9_000_000])));
        Assert.Equal(before, sketch.Serialize());
    }

    [Fact]
    public void Merge_EqualsOneSketchOfAllValues_WhenSplitAcrossSketches()
    {
        var a = SkewedData.LogNormal(3_000, seed: 8);
        var b = SkewedData.Pareto(3_000, seed: 9);
        var merged = Sketch(b);

        merged.Merge(Sketch(a));

        Assert.Equal(Sketch(a.Concat(b)).Serialize(), merged.Serialize());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(40)]
    public void Sketch_GivesSameBytesAndFigures_WhicheverWayBucketsArrive_WhenFewOrManyBucketsAreUsed(int buckets)
    {
        // 10% apart: each value in its own bucket, so the count crosses the small-sketch form's limit.
        var values = Enumerable.Range(0, buckets).Select(i => (long)(1_000 * Math.Pow(1.1, i))).ToArray();
        var whole = Sketch(values);
        var fromSingles = new LatencySketch();
        foreach (var v in values.Reverse())
        {
            fromSingles.Merge(Sketch([v]));
        }
        var half = LatencySketch.Deserialize(Sketch(values.Where((_, i) => i % 2 == 0)).Serialize());
        half.Merge(LatencySketch.Deserialize(Sketch(values.Where((_, i) => i % 2 == 1)).Serialize()));
        var shrunk = Sketch(values.Concat(values));
        shrunk.Subtract(Sketch(values));

        Assert.All([fromSingles, half, shrunk], s => Assert.Equal(whole.Serialize(), s.Serialize()));
        Assert.All([whole, fromSingles, half, shrunk], s =>
        {
            Assert.Equal(values.Length, s.Count);
            Assert.Equal(values.Sum(), (long)s.Sum);
            Assert.InRange(s.Min, values[0] * (1 - LatencySketch.RelativeAccuracy), values[0] * (1 + LatencySketch.RelativeAccuracy));
            Assert.InRange(s.Max, values[^1] * (1 - LatencySketch.RelativeAccuracy), values[^1] * (1 + LatencySketch.RelativeAccuracy));
            var median = values[(values.Length - 1) / 2];
            Assert.InRange(s.Quantile(0.5), median * (1 - LatencySketch.RelativeAccuracy), median * (1 + LatencySketch.RelativeAccuracy));
        });
    }

    [Fact]
    public void Sketch_GivesSameBytesAndFigures_WhenItsOnlyBucketWasEmptiedAndOthersArrive()
    {
        // One bucket is held without an array; emptied by a subtraction it stays until the sketch
        // grows, and must then count for nothing.
        var sketch = Sketch([5_000, 0]);
        sketch.Subtract(5_000);
        sketch.Add(9_000_000);
        sketch.Add(70);

        var expected = Sketch([0, 70, 9_000_000]);
        Assert.Equal(expected.Serialize(), sketch.Serialize());
        Assert.Equal((3L, 0.0), (sketch.Count, sketch.Min));
        Assert.Equal(expected.Quantile(0.9), sketch.Quantile(0.9));
        Assert.Equal(expected.Serialize(), LatencySketch.Deserialize(sketch.Serialize()).Serialize());
    }

    [Fact]
    public void Add_WithCount_EqualsRepeatedAdds()
    {
        var weighted = new LatencySketch();
        weighted.Add(42_000, count: 5);
        weighted.Add(0, count: 2);

        Assert.Equal(Sketch([42_000, 42_000, 42_000, 42_000, 42_000, 0, 0]).Serialize(), weighted.Serialize());
        Assert.Equal(210_000, weighted.Sum);
        Assert.Equal(30_000, weighted.Mean);
    }

    [Theory]
    [MemberData(nameof(SkewedSets))]
    public void Deserialize_GivesBackSameSketch_WhenBytesCameFromSerialize(string name, long[] values)
    {
        var sketch = Sketch(values);
        var bytes = sketch.Serialize();

        var copy = LatencySketch.Deserialize(bytes);

        Assert.Equal(bytes, copy.Serialize());
        Assert.True(sketch.Quantile(0.99) == copy.Quantile(0.99) && sketch.Count == copy.Count, name);
    }

    [Fact]
    public void Serialize_StaysWellUnderTwoKilobytes_WhenDataIsRealistic()
    {
        // One edge's minute: a service with a 20 ms median and a long tail, and a cache-backed one.
        var lognormal = Sketch(SkewedData.LogNormal(100_000, seed: 10)).Serialize().Length;
        var bimodal = Sketch(SkewedData.Bimodal(100_000, seed: 11)).Serialize().Length;

        output.WriteLine($"serialised: lognormal {lognormal} B, bimodal {bimodal} B");
        Assert.True(lognormal < 1_500, $"lognormal sketch is {lognormal} bytes");
        Assert.True(bimodal < 1_500, $"bimodal sketch is {bimodal} bytes");
    }

    [Fact]
    public void Deserialize_ThrowsFormatExceptionNamingOffset_WhenBytesAreCorrupt()
    {
        var bytes = Sketch([1_000, 2_000, 3_000]).Serialize();

        var truncated = Assert.Throws<FormatException>(() => LatencySketch.Deserialize(bytes.AsSpan(0, bytes.Length - 1)));
        var badVersion = Assert.Throws<FormatException>(() => LatencySketch.Deserialize([9, 0, 0, 0]));
        var trailing = Assert.Throws<FormatException>(() => LatencySketch.Deserialize([.. bytes, 0]));

        Assert.Contains("unexpected end of data", truncated.Message);
        Assert.Contains("unknown format version 9 at byte 0", badVersion.Message);
        Assert.Contains("trailing", trailing.Message);
    }

    [Fact]
    public void Deserialize_ThrowsOnlyFormatException_WhenBytesAreRandom()
    {
        var random = new Random(12);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 40)];
            random.NextBytes(bytes);
            if (bytes.Length > 0)
            {
                bytes[0] = 1;
            }
            try
            {
                LatencySketch.Deserialize(bytes).Quantile(0.5);
            }
            catch (FormatException)
            {
            }
        }
    }

    [Fact]
    public void DenseSketch_ReadsBackEqual_WhenCountsAndIndexGapsTakeSeveralVarintBytes()
    {
        // Dense (past the small form's 16 buckets), with counts of up to 2^39, filled buckets six
        // apart and one hundreds further: varints of one to six bytes, read back by the reader,
        // which shares no code with the writer.
        var sketch = new LatencySketch();
        var expectedCount = 0L;
        for (var i = 0; i < 40; i++)
        {
            var count = 1L << i;
            sketch.Add((long)(1_000 * Math.Pow(1.1, i)), count);
            expectedCount += count;
        }
        sketch.Add(50_000_000_000, 3);
        sketch.Add(0, 1L << 36);
        expectedCount += 3 + (1L << 36);

        var read = LatencySketch.Deserialize(sketch.Serialize());

        Assert.Equal(expectedCount, read.Count);
        Assert.Equal(sketch.Sum, read.Sum);
        Assert.Equal(sketch.Max, read.Max);
        foreach (var q in new[] { 0.1, 0.5, 0.9, 0.99, 0.999999 })
        {
            Assert.Equal(sketch.Quantile(q), read.Quantile(q));
        }
        Assert.Equal(sketch.Serialize(), read.Serialize());
    }

    private static LatencySketch Sketch(IEnumerable<long> values)
    {
        var sketch = new LatencySketch();
        foreach (var v in values)
        {
            sketch.Add(v);
        }
        return sketch;
    }
}
