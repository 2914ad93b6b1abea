using DepMap.Storage.Aggregation;

namespace DepMap.Storage.Tests.Aggregation;

/// <summary>
/// The filter of trace ids with a row: a "no" must never be wrong (the trace's earlier spans would
/// be lost to a late span), and a "maybe" for an id never added must stay rare, or the lookups it
/// saves come back.
/// </summary>
public class StoredTraceIdsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryIdAdded_MayBeThere_AndFewOthersSeemTo(bool counting)
    {
        // Random ids, as most tracers make them, or ids that count up, as some do.
        var random = new Random(15);
        var ids = Enumerable.Range(0, 500_000).Select(i => counting ? 1_000_000L + i : random.NextInt64()).ToList();
        var filter = StoredTraceIds.Of(ids.Count, ids);

        var missed = ids.Count(id => !filter.MayContain(id));
        var others = Enumerable.Range(0, 200_000).Select(i => counting ? 5_000_000L + i : random.NextInt64()).ToList();
        var wronglyMaybe = others.Count(filter.MayContain) / (double)others.Count;

        Assert.Equal(0, missed);
        // Ten bits an id at the size it was made for (it has room for twice as many as it holds here).
        Assert.True(wronglyMaybe < 0.01, $"{wronglyMaybe:P2} of ids never added seemed to be there");
    }

    [Fact]
    public void IdsAddedAfterwards_MayBeThere_AndPastItsSize_ItAsksToBeReadAgain()
    {
        var filter = StoredTraceIds.Of(0, []);
        var capacity = filter.Capacity;
        var added = new List<long>();
        for (long id = 1; id <= capacity; id++)
        {
            filter.Add(id * 7919);
            added.Add(id * 7919);
        }

        Assert.False(filter.IsFull);
        filter.Add(-1);
        Assert.True(filter.IsFull);
        Assert.All(added.Where((_, i) => i % 1_000 == 0).Append(-1), id => Assert.True(filter.MayContain(id)));
        // Read again, it is sized for twice the rows it finds.
        Assert.Equal(2 * (capacity + 1), StoredTraceIds.Of(capacity + 1, added.Append(-1)).Capacity);
    }
}
