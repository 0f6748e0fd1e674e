namespace Microsoft.ML.Attention.Tests.Reliability;

/// <summary>Runs every case of <see cref="BadInputCatalogue"/>: each must raise its exception, naming what is wrong.</summary>
[TestClass]
public sealed class BadInputCatalogueTests
{
    /// <summary>The catalogue's size, as the README states it.</summary>
    private const int Count = 65;

    public static IEnumerable<object[]> Cases => BadInputCatalogue.All().Select(c => new object[] { c });

    [TestMethod]
    public void Catalogue_HoldsTheCountTheReadmeStates_AcrossEveryArea()
    {
        BadInputCase[] all = [.. BadInputCatalogue.All()];
        Assert.HasCount(Count, all, string.Join("\n", all.Select(c => c.ToString())));
        Assert.AreEqual(all.Length, all.Select(c => c.ToString()).Distinct().Count(), "names are unique");
        CollectionAssert.IsSubsetOf(new[] { "options", "schemas", "values", "files", "exports" }, all.Select(c => c.Area).Distinct().ToArray());
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void BadInput_RaisesAClearException(BadInputCase bad)
    {
        Exception? thrown = null;
        try
        {
            bad.Act();
        }
        catch (Exception e)
        {
            thrown = e;
        }

        Assert.IsNotNull(thrown, $"{bad}: no exception");
        Assert.IsInstanceOfType(thrown, bad.Expected, $"{bad}: {thrown.GetType().Name}: {thrown.Message}");
        foreach (string words in bad.MessageHolds)
        {
            StringAssert.Contains(thrown.Message, words, $"{bad}: the message must name '{words}'");
        }
    }
}
