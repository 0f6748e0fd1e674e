using Microsoft.ML.Attention.AutoML;

namespace Microsoft.ML.Attention.Tests.AutoML;

/// <summary>The ready text-classification pipeline: choosing candidates, and its attention columns.</summary>
[TestClass]
public sealed class TextClassificationPipelineTests
{
    [TestMethod]
    public void Candidates_CanBeChosenByName_UnknownNamesAreRefused()
    {
        var ml = new MLContext(seed: 1);
        SweepablePipeline all = ml.AttentionAuto().TextClassification();
        CollectionAssert.AreEqual(AttentionAutoCatalog.TextClassificationCandidates.ToArray(), all.Candidates.Select(c => c.Name).ToArray());
        SweepablePipeline one = ml.AttentionAuto().TextClassification(candidates: [AttentionAutoCatalog.HierarchicalAttentionName]);
        Assert.AreEqual(AttentionAutoCatalog.HierarchicalAttentionName, one.Candidates.Single().Name);
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.AttentionAuto().TextClassification(candidates: ["Bert"]));
        StringAssert.Contains(e.Message, "'Bert' is not a text-classification candidate");
        Assert.ThrowsExactly<ArgumentException>(() => ml.AttentionAuto().TextClassification(candidates: []));
    }

    [TestMethod]
    public void AttentionColumns_AreAddedOnRequest()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 40).Select(i => new Row { Label = i % 2 == 0 ? "a" : "b", Text = i % 2 == 0 ? "red fish. blue fish" : "one cat. two cats" }));
        IDataView keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        foreach (bool attention in new[] { false, true })
        {
            foreach (SweepableEstimator candidate in ml.AttentionAuto().TextClassification(attentionColumns: attention, candidates: [AttentionAutoCatalog.AttentionEncodeName, AttentionAutoCatalog.HierarchicalAttentionName]).Candidates)
            {
                var values = candidate.Space.ValuesAt(candidate.Space.InitialPoint());
                DataViewSchema schema = candidate.Build(ml, values).Fit(keyed).Transform(keyed).Schema;
                Assert.AreEqual(attention, schema.GetColumnOrNull(AttentionAutoCatalog.WordAttentionColumnName) is not null, $"{candidate.Name}, attention {attention}");
                Assert.AreEqual(attention, schema.GetColumnOrNull(AttentionAutoCatalog.WordsColumnName) is not null, candidate.Name);
                Assert.AreEqual(attention && candidate.Name == AttentionAutoCatalog.HierarchicalAttentionName, schema.GetColumnOrNull(AttentionAutoCatalog.SentenceAttentionColumnName) is not null, candidate.Name);
            }
        }
    }

    private sealed class Row
    {
        public string Label { get; set; } = "";

        public string Text { get; set; } = "";
    }
}
