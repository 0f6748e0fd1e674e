using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tests.Support;
using Microsoft.ML.Attention.Tests.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// <c>mlContext.ToOnnxChain</c> turns a fitted pipeline holding an AttentionEncode transformer into ML.NET's own
/// transformers, which plain <c>Model.Save</c> writes and <c>Model.Load</c> reads back in a fresh context, and which
/// predicts as the pack does: the same words (capitals, glued punctuation, apostrophes, accents, symbols, texts cut at
/// MaximumLength), the same embedding and attention weights within 1e-4, the same scores and labels.
/// </summary>
[TestClass]
public sealed class OnnxChainTests
{
    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void OnnxChain_PlainSaveAndLoad_PredictsAsThePack(bool exactTokenization)
    {
        var ml = new MLContext(seed: 1);
        (ITransformer model, IDataView train) = Train(ml);
        TransformerChain<ITransformer> native = ml.ToOnnxChain(model, train.Schema, exactTokenization);
        Assert.IsFalse(native.Any(t => t.GetType().Namespace!.StartsWith("Microsoft.ML.Attention", StringComparison.Ordinal)), "only ML.NET's transformers");
        string path = Path.Combine(Path.GetTempPath(), $"onnx-chain-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(native, train.Schema, path);
            ITransformer loaded = new MLContext(seed: 9).Model.Load(path, out DataViewSchema loadedSchema);
            Assert.IsNotNull(loadedSchema.GetColumnOrNull("Text"));

            // Unseen texts, up to 30 words: those past 16 are cut by both.
            IDataView test = ml.Data.LoadFromEnumerable(PunctuatedReviews.Generate(80, seed: 12, minWords: 1, maxWords: 30));
            IDataView expected = model.Transform(test), actual = loaded.Transform(test);
            foreach (string column in new[] { "Embedding", "Weights", "Score" })
            {
                float[][] e = [.. expected.GetColumn<float[]>(column)], a = [.. actual.GetColumn<float[]>(column)];
                Assert.AreEqual(e.Length, a.Length);
                for (int r = 0; r < e.Length; r++)
                {
                    Assert.AreEqual(e[r].Length, a[r].Length, $"{column} row {r}: size");
                    for (int c = 0; c < e[r].Length; c++)
                    {
                        Assert.AreEqual(e[r][c], a[r][c], 1e-4f, $"{column} row {r} slot {c}");
                    }
                }
            }

            CollectionAssert.AreEqual(expected.GetColumn<string>("PredictedLabel").ToArray(), actual.GetColumn<string>("PredictedLabel").ToArray());
            Assert.AreEqual(expected.Schema["Embedding"].Type, actual.Schema["Embedding"].Type);
            Assert.AreEqual(expected.Schema["Weights"].Type, actual.Schema["Weights"].Type);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void OnnxChain_ExactTokenization_SplitsOnEveryNonLetter_TheDefaultOnTheCommonBlocks()
    {
        var ml = new MLContext(seed: 1);
        (ITransformer model, IDataView train) = Train(ml);
        // Tibetan's tsheg (U+0F0B) and Devanagari's danda (U+0964) are punctuation outside the default blocks.
        string[] texts = ["loved\u0F0Bthe film", "a movie\u0964 excellent\u0964 plot", "the plot\u0F0Bwas\u0F0Bgreat"];
        IDataView test = ml.Data.LoadFromEnumerable(texts.Select(t => new PunctuatedReviews { Text = t, Label = "pos" }));
        float[][] pack = [.. model.Transform(test).GetColumn<float[]>("Embedding")];
        float[][] exact = [.. ml.ToOnnxChain(model, train.Schema, exactTokenization: true).Transform(test).GetColumn<float[]>("Embedding")];
        float[][] common = [.. ml.ToOnnxChain(model, train.Schema).Transform(test).GetColumn<float[]>("Embedding")];
        for (int r = 0; r < texts.Length; r++)
        {
            Check.Close(pack[r], exact[r], $"exact tokenization, row {r}", rtol: 0f, atol: 1e-4f);
            Assert.IsTrue(pack[r].Zip(common[r]).Any(p => MathF.Abs(p.First - p.Second) > 1e-3f), $"row {r}: the default keeps the mark inside a word (documented)");
        }
    }

    /// <summary>
    /// MapValueToKey → AttentionEncode (weights column, texts cut at 16 words) → SDCA → MapKeyToValue on generated
    /// punctuated reviews; also the consumer fixture's model (OnnxConsumerFixtureTests).
    /// </summary>
    internal static (ITransformer Model, IDataView Train) Train(MLContext ml, int rows = 200, int seed = 11, int epochs = 3, int iterations = 20)
    {
        IDataView train = ml.Data.LoadFromEnumerable(PunctuatedReviews.Generate(rows, seed));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.AttentionEncode(new AttentionEncodeOptions
            {
                ModelDimension = 16, Heads = 2, Layers = 1, FeedForwardDimension = 32, Epochs = epochs, MaximumLength = 16, TruncateLongText = true,
                Seed = 3, AttentionWeightsColumnName = "Weights", VocabularySize = 60,
            }))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Embedding", maximumNumberOfIterations: iterations))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        return (pipeline.Fit(train), train);
    }

    [TestMethod]
    public void OnnxChain_VectorInput_PlainSaveAndLoad_PredictsAsThePack()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(6);
        IDataView data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 80).Select(i => new Steps
        {
            Features = [.. Enumerable.Range(0, 12).Select(_ => (float)random.NextDouble() - 0.5f)],
            Flag = i % 3 == 0,
        }).ToList());
        var pipeline = ml.Transforms.AttentionEncode(new AttentionEncodeOptions
        {
            InputColumnName = "Features", StepSize = 3, LabelColumnName = "Flag", ModelDimension = 8, Heads = 2, Layers = 1, FeedForwardDimension = 8,
            Epochs = 2, Seed = 2, AttentionWeightsColumnName = "Weights",
        }).Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression("Flag", "Embedding", maximumNumberOfIterations: 10));
        ITransformer model = pipeline.Fit(data);
        using var saved = new MemoryStream();
        ml.Model.Save(ml.ToOnnxChain(model, data.Schema), data.Schema, saved);
        saved.Position = 0;
        IDataView expected = model.Transform(data), actual = new MLContext(seed: 3).Model.Load(saved, out _).Transform(data);
        foreach (string column in new[] { "Embedding", "Weights" })
        {
            float[][] e = [.. expected.GetColumn<float[]>(column)], a = [.. actual.GetColumn<float[]>(column)];
            for (int r = 0; r < e.Length; r++)
            {
                Check.Close(e[r], a[r], $"{column} row {r}", rtol: 0f, atol: 1e-4f);
            }
        }

        float[] pe = [.. expected.GetColumn<float>("Probability")], pa = [.. actual.GetColumn<float>("Probability")];
        Check.Close(pe, pa, "Probability", rtol: 0f, atol: 1e-4f);
    }

    private sealed class Steps
    {
        [VectorType(12)]
        public float[] Features { get; set; } = [];

        public bool Flag { get; set; }
    }

    [TestMethod]
    public void OnnxChain_RefusesAPackTransformerMLNetCannotRebuild_NamingItAndWhy()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(CueSentenceTask.Generate(40, seed: 3));
        IDataView keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        var han = ml.MulticlassClassification.Trainers.HierarchicalAttention(new HierarchicalAttentionOptions
        {
            EmbeddingDimension = 4, HiddenSize = 4, AttentionDimension = 4, Epochs = 1, MinimumWordCount = 1, Seed = 2,
        }).Fit(keyed);
        var e = Assert.ThrowsExactly<NotSupportedException>(() => ml.ToOnnxChain(han, keyed.Schema));
        StringAssert.Contains(e.Message, "HierarchicalAttentionTransformer");
        StringAssert.Contains(e.Message, "SaveWithAttention");
        StringAssert.Contains(e.Message, "ExportToOnnx");

        // A classifier whose Score and PredictedLabel ML.NET's ONNX transformer cannot rebuild (vectors only) is refused saying so.
        IDataView rows = ml.Data.LoadFromEnumerable(Sequences.TimeStepAttentionPipelineTests.SeedTask(60, seed: 2));
        IDataView steps = ml.Transforms.Conversion.MapValueToKey("Label").Fit(rows).Transform(rows);
        var timeSteps = ml.MulticlassClassification.Trainers.TimeStepAttention(new TimeStepAttentionOptions { HiddenSize = 4, Epochs = 1, Seed = 2 }).Fit(steps);
        e = Assert.ThrowsExactly<NotSupportedException>(() => ml.ToOnnxChain(timeSteps, steps.Schema));
        StringAssert.Contains(e.Message, "TimeStepAttentionTransformer");
        StringAssert.Contains(e.Message, "vector columns only");
        StringAssert.Contains(e.Message, "ExportToOnnx");
    }
}
