using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tests.Support;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Transforms;

/// <summary>
/// How the pack binds to real ML.NET: the reflective column constructor and its public-only fallback give the same
/// columns; without either internal the pack still works or names the public entry; seed and log are the context's.
/// </summary>
[TestClass]
public sealed class MLNetBindingTests
{
    private static readonly AttentionEncodeOptions Small = new()
    {
        ModelDimension = 8, Heads = 2, Layers = 1, FeedForwardDimension = 16, Epochs = 2, MaximumLength = 24,
        AttentionWeightsColumnName = "Weights", TokensColumnName = "Tokens",
    };

    private static readonly OutputColumn[] Kinds =
    [
        new("Embedding", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, HasSlotNames: true),
        new("Weights", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false),
        new("Tokens", SchemaShape.Column.VectorKind.VariableVector, TextDataViewType.Instance, false),
        new("Score", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false),
        new("Text", SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false),
        new("Flag", SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false),
        new("Flags", SchemaShape.Column.VectorKind.Vector, BooleanDataViewType.Instance, false),
        new("PredictedLabel", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true, HasKeyValues: true),
        new("Keys", SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.UInt32, true),
        new("Count", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Int32, false),
        new("Values", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Double, false),
        new("Bytes", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Byte, true),
    ];

    [TestMethod]
    public void PublicOnlyColumns_EqualTheReflectiveOnes_AnnotationsIncluded()
    {
        Assert.IsTrue(MLNetInternals.UsesColumnConstructor, "ML.NET 5.0.1 has the internal constructor");
        string[] reflective = [.. Kinds.Select(MLNetInternals.CreateColumnByConstructor).Select(Describe)];
        string[] publicOnly = [.. PublicSchemaColumns.Create(Kinds).Select(Describe)];
        CollectionAssert.AreEqual(reflective, publicOnly);
        StringAssert.Contains(reflective[0], "annotations [SlotNames Vector String]", "the embedding carries slot names");
        StringAssert.Contains(reflective[7], "UInt32 key annotations [KeyValues Vector String]");
    }

    [TestMethod]
    public void WithoutTheColumnConstructor_TheEstimatorGivesTheSameSchema_FitsAndTransforms()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(Rows(ml)).Transform(Rows(ml));
        AttentionEncodeOptions seeded = Small.With("E", "Text");
        seeded.Seed = 5;
        AttentionEncodeEstimator estimator = ml.Transforms.AttentionEncode(seeded);
        string[] expected = [.. estimator.GetOutputSchema(MLNetInternals.ShapeOf(data.Schema)).Select(Describe)];
        float[] expectedFirst = estimator.Fit(data).Transform(data).GetColumn<float[]>("E").First();
        using (MLNetInternals.Simulate(noColumnConstructor: true))
        {
            Assert.IsFalse(MLNetInternals.UsesColumnConstructor);
            var fallback = new MLContext(seed: 1);
            AttentionEncodeEstimator again = fallback.Transforms.AttentionEncode(seeded);
            CollectionAssert.AreEqual(expected, again.GetOutputSchema(MLNetInternals.ShapeOf(data.Schema)).Select(Describe).ToArray());

            // A whole chain's schema propagates through ML.NET's own estimators after the pack's.
            var chain = again.Append(fallback.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "E"));
            SchemaShape shape = chain.GetOutputSchema(MLNetInternals.ShapeOf(data.Schema));
            Assert.IsTrue(shape.Any(c => c.Name == "PredictedLabel" && c.IsKey));
            CollectionAssert.AreEqual(expectedFirst, again.Fit(data).Transform(data).GetColumn<float[]>("E").First(), "same seed, same model on either route");
        }

        Assert.IsTrue(MLNetInternals.UsesColumnConstructor, "the simulation ends with its scope");
    }

    [TestMethod]
    public void WithoutTheCatalogEnvironment_TheTransformsEntryNamesThePublicOne_WhichWorks()
    {
        IDataView Keyed(MLContext ml) => ml.Transforms.Conversion.MapValueToKey("Label").Fit(Rows(ml)).Transform(Rows(ml));
        float[] viaTransforms;
        {
            var ml = new MLContext(seed: 4);
            viaTransforms = ml.Transforms.AttentionEncode(Small.With("E", "Text")).Fit(Keyed(ml)).Transform(Keyed(ml)).GetColumn<float[]>("E").First();
        }

        using (MLNetInternals.Simulate(noCatalogEnvironment: true))
        {
            var ml = new MLContext(seed: 4);
            var e = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Transforms.AttentionEncode("E", "Text"));
            StringAssert.Contains(e.Message, "mlContext.Attention().AttentionEncode(...)");
            StringAssert.Contains(e.Message, "IInternalCatalog");
            IDataView data = Keyed(ml);
            float[] viaPublic = ml.Attention().AttentionEncode(Small.With("E", "Text")).Fit(data).Transform(data).GetColumn<float[]>("E").First();
            CollectionAssert.AreEqual(viaTransforms, viaPublic, "the public entry is the same estimator with the same context seed");
        }
    }

    [TestMethod]
    public void SeedAndLog_AreTheContexts()
    {
        var messages = new List<string>();
        float[] Embed(int contextSeed, bool listen)
        {
            var ml = new MLContext(seed: contextSeed);
            if (listen)
            {
                ml.Log += (_, e) =>
                {
                    lock (messages)
                    {
                        messages.Add(e.Message);
                    }
                };
            }

            IDataView data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(Rows(ml)).Transform(Rows(ml));
            return ml.Transforms.AttentionEncode(Small.With("E", "Text")).Fit(data).Transform(data).GetColumn<float[]>("E").First();
        }

        float[] a = Embed(11, listen: true), b = Embed(11, listen: false), c = Embed(12, listen: false);
        CollectionAssert.AreEqual(a, b, "same context seed, same model");
        CollectionAssert.AreNotEqual(a, c, "another context seed, another model (the seed is not a fixed default)");
        Assert.IsTrue(messages.Any(m => m.Contains("AttentionEncode: epoch 1/2", StringComparison.Ordinal)), "epoch progress reaches mlContext.Log");
        Assert.IsTrue(messages.Any(m => m.Contains("AttentionEncode: 60 rows, vocabulary", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void SimpleOverload_UsesThePublicDefaults_AndOptionsAreValidatedOnceAndCopied()
    {
        var ml = new MLContext(seed: 1);
        AttentionEncodeOptions o = ml.Transforms.AttentionEncode("E", "Text", heads: 2).Options;
        Assert.AreEqual(AttentionEncodeOptions.Defaults.ModelDimension, o.ModelDimension);
        Assert.AreEqual(2, o.Heads);
        Assert.AreEqual(AttentionEncodeOptions.Defaults.LabelColumnName, o.LabelColumnName);
        Assert.AreEqual(AttentionEncodeOptions.Defaults.VocabularySize, o.VocabularySize);

        var options = new AttentionEncodeOptions { InputColumnName = "Text", OutputColumnName = "E", ModelDimension = 8, Heads = 2 };
        AttentionEncodeEstimator estimator = ml.Attention().AttentionEncode(options);
        options.Heads = 3;
        Assert.AreEqual(2, estimator.Options.Heads, "a created estimator keeps the options it was given");
        var bad = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Attention().AttentionEncode(options));
        StringAssert.Contains(bad.Message, "AttentionEncodeOptions.Heads: Heads (3) must be positive and divide ModelDimension (8)");
        var clash = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AttentionEncode("E", "Text", attentionWeightsColumnName: "E"));
        StringAssert.Contains(clash.Message, "must have different names");
    }

    private static IDataView Rows(MLContext ml) => ml.Data.LoadFromEnumerable(LateWordTask.Generate(60, seed: 8));

    private static string Describe(SchemaShape.Column c) =>
        $"{c.Name} {c.Kind} {c.ItemType}{(c.IsKey ? " key" : "")} annotations [{string.Join(", ", (c.Annotations ?? new SchemaShape([])).Select(a => $"{a.Name} {a.Kind} {a.ItemType}"))}]";
}
