using Microsoft.ML.Attention.Tests.Support;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Transforms;

/// <summary><c>AttentionEncode</c>: bad input, vector input, PredictionEngine, determinism, and the refusal of plain Model.Save.</summary>
[TestClass]
public sealed class AttentionEncodeBehaviourTests
{
    private static readonly AttentionEncodeOptions Small = new()
    {
        ModelDimension = 8, Heads = 2, Layers = 1, FeedForwardDimension = 16, Epochs = 2, MaximumLength = 6, Seed = 3,
        AttentionWeightsColumnName = "Weights",
    };

    [TestMethod]
    public void EmptyText_IsRefusedAtFit_NamingColumnAndRow()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new TextRow("a b", true), new TextRow(" ,. ", false) });
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Transforms.AttentionEncode(Small.With("E", "Text", "Label")).Fit(data));
        StringAssert.Contains(e.Message, "row 1 of column 'Text' has no words");
    }

    [TestMethod]
    public void TextOverTheMaximumLength_IsRefused_UnlessTruncationIsAsked()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new TextRow("a b", true), new TextRow("one two three four five six seven", false) });
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Transforms.AttentionEncode(Small.With("E", "Text", "Label")).Fit(data));
        StringAssert.Contains(e.Message, "has 7 words, more than MaximumLength = 6");
        var options = new AttentionEncodeOptions { ModelDimension = 8, Heads = 2, Layers = 1, FeedForwardDimension = 16, Epochs = 1, MaximumLength = 6, TruncateLongText = true, TokensColumnName = "Tokens" };
        var model = ml.Transforms.AttentionEncode(options.With("E", "Text", "Label")).Fit(data);
        string[][] tokens = [.. model.Transform(data).GetColumn<VBuffer<ReadOnlyMemory<char>>>("Tokens").Select(v => v.DenseValues().Select(m => m.ToString()).ToArray())];
        CollectionAssert.AreEqual(new[] { "one", "two", "three", "four", "five", "six" }, tokens[1]);
    }

    [TestMethod]
    public void WrongColumnTypes_AreRefusedBeforeAnyDataIsRead()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new StringLabelRow { Text = "a", Label = "x", Vector = new float[10] } });
        var e1 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AttentionEncode(Small.With("E", "Text", "Label")).Fit(data));
        StringAssert.Contains(e1.Message, "label column 'Label' has type String; expected a key (use MapValueToKey for classes), Boolean, or Single");
        var e2 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AttentionEncode(Small.With("E", "Missing", "Label")).Fit(data));
        StringAssert.Contains(e2.Message, "input column 'Missing' not found. Columns: Text, Label, Vector");
        var vectorOptions = new AttentionEncodeOptions { StepSize = 4 };
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        var e3 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AttentionEncode(vectorOptions.With("E", "Vector", "Label")).Fit(keyed));
        StringAssert.Contains(e3.Message, "has 10 values, which is not a whole number of steps of StepSize = 4");
        var e4 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AttentionEncode(new AttentionEncodeOptions { Heads = 3 }.With("E", "Text", "Label")));
        StringAssert.Contains(e4.Message, "Heads (3) must be positive and divide ModelDimension (64)");
    }

    [TestMethod]
    public void VectorSteps_PredictionEngine_AndDeterminism()
    {
        var rows = Enumerable.Range(0, 120).Select(i => new VectorRow { Label = i % 2 == 0, Steps = [.. Enumerable.Range(0, 12).Select(j => (float)Math.Sin(i * 0.7 + j) + (i % 2 == 0 && j >= 8 ? 2f : 0f))] }).ToList();
        var options = new AttentionEncodeOptions { StepSize = 3, ModelDimension = 8, Heads = 2, Layers = 1, FeedForwardDimension = 16, Epochs = 3, MaximumLength = 4, AttentionWeightsColumnName = "Weights" };
        float[] First()
        {
            var ml = new MLContext(seed: 7);
            IDataView data = ml.Data.LoadFromEnumerable(rows);
            var model = ml.Transforms.AttentionEncode(options.With("E", "Steps", "Label")).Fit(data);
            var engine = ml.Model.CreatePredictionEngine<VectorRow, Encoded>(model);
            Encoded e = engine.Predict(rows[0]);
            Assert.AreEqual(8, e.E.Length);
            Assert.AreEqual(4, e.Weights.Length);
            Assert.AreEqual(1f, e.Weights.Sum(), 1e-5f);
            float[] fromView = model.Transform(data).GetColumn<float[]>("E").First();
            CollectionAssert.AreEqual(fromView, e.E, "PredictionEngine and Transform agree");
            return e.E;
        }

        CollectionAssert.AreEqual(First(), First(), "same MLContext seed, same model");
    }

    [TestMethod]
    public void NonFiniteSteps_AreRefusedAtFitAndAtScoring_NamingColumnRowAndSlot()
    {
        var rows = Enumerable.Range(0, 20).Select(i => new VectorRow { Label = i % 2 == 0, Steps = [.. Enumerable.Range(0, 12).Select(j => (float)(i + j))] }).ToList();
        var options = new AttentionEncodeOptions { StepSize = 3, ModelDimension = 8, Heads = 2, Layers = 1, FeedForwardDimension = 16, Epochs = 1, MaximumLength = 4 };
        var ml = new MLContext(1);
        var model = ml.Transforms.AttentionEncode(options.With("E", "Steps")).Fit(ml.Data.LoadFromEnumerable(rows));

        rows[5].Steps[7] = float.NaN;
        var atFit = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Transforms.AttentionEncode(options.With("E", "Steps")).Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(atFit.Message, "row 5 of column 'Steps' holds NaN at slot 7 (step 2)");
        rows[5].Steps[7] = float.PositiveInfinity;
        var atScoring = Assert.ThrowsExactly<InvalidOperationException>(() => model.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float[]>("E").ToList());
        StringAssert.Contains(atScoring.Message, "row 5 of column 'Steps' holds Infinity at slot 7");
    }

    [TestMethod]
    public void PlainModelSave_IsRefusedWithTheMethodToUse_WhileSaveWithAttentionIsAtomic()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new TextRow("a b", true), new TextRow("c d", false) });
        var model = ml.Transforms.AttentionEncode(Small.With("E", "Text", "Label")).Fit(data);
        string path = Path.Combine(Path.GetTempPath(), $"attention-save-{Guid.NewGuid():N}.zip");
        File.WriteAllText(path, "old");
        try
        {
            var e = Assert.ThrowsExactly<NotSupportedException>(() => ml.Model.Save(model, data.Schema, path));
            StringAssert.Contains(e.Message, "mlContext.Model.SaveWithAttention");

            // ML.NET's Model.Save(…, path) opens the file for writing before it asks the transformers to save: the old
            // file is gone (what the README warns of). The pack's save writes beside it and moves only when complete.
            Assert.AreNotEqual("old", File.ReadAllText(path), "ML.NET 5.0.1 truncates the target before failing; if this changes, update the README");
            File.WriteAllText(path, "old");
            var chain = new TransformerChain<ITransformer>(model, new UnsaveableTransformer());
            Assert.ThrowsExactly<InvalidOperationException>(() => ml.Model.SaveWithAttention(chain, data.Schema, path));
            Assert.AreEqual("old", File.ReadAllText(path), "a failed SaveWithAttention leaves the old file");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed record TextRow(string Text, bool Label);

    private sealed class StringLabelRow
    {
        public string Text { get; set; } = "";

        public string Label { get; set; } = "";

        [VectorType(10)]
        public float[] Vector { get; set; } = [];
    }

    private sealed class VectorRow
    {
        public bool Label { get; set; }

        [VectorType(12)]
        public float[] Steps { get; set; } = [];
    }

    private sealed class Encoded
    {
        public float[] E { get; set; } = [];

        public float[] Weights { get; set; } = [];
    }
}
