using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Transforms;

/// <summary>
/// One fitted model scored from eight threads at once — each running its own <c>Transform</c> and scan, or its own
/// <c>PredictionEngine</c> — gives exactly what one thread gets, bit for bit: the models keep no per-call state, and
/// the engine's kernels sum in the same order whether they run on one core or several.
/// </summary>
[TestClass]
public sealed class ConcurrentScoringTests
{
    private const int Threads = 8;

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void AttentionEncode_EightThreads_TransformAndPredictionEngines_EqualOneThread()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(LateWordTask.Generate(400, seed: 3));
        IDataView keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        AttentionEncodeTransformer model = ml.Transforms.AttentionEncode(new AttentionEncodeOptions
        {
            ModelDimension = 16, Heads = 2, Layers = 1, FeedForwardDimension = 32, Epochs = 1, MaximumLength = 24, Seed = 1,
            AttentionWeightsColumnName = "Weights",
        }).Fit(keyed);
        AssertConcurrentEqual(ml, model, keyed, "Embedding", [.. ml.Data.CreateEnumerable<LateWordTask>(data, reuseRowObject: false)]);
    }

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void HierarchicalAttention_EightThreads_TransformAndPredictionEngines_EqualOneThread()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(CueSentenceTask.Generate(150, seed: 3));
        IDataView keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        var options = new HierarchicalAttentionOptions { EmbeddingDimension = 8, HiddenSize = 8, AttentionDimension = 8, Epochs = 1, MinimumWordCount = 1, Seed = 2 };
        HierarchicalAttentionTransformer model = ml.MulticlassClassification.Trainers.HierarchicalAttention(options).Fit(keyed);
        AssertConcurrentEqual(ml, model, keyed, "Score", [.. ml.Data.CreateEnumerable<CueSentenceTask>(data, reuseRowObject: false)]);
    }

    private static void AssertConcurrentEqual<TRow>(MLContext ml, ITransformer model, IDataView data, string column, List<TRow> rows)
        where TRow : class, new()
    {
        float[][] reference = [.. model.Transform(data).GetColumn<float[]>(column)];
        var results = new float[Threads][][];
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t => results[t] = [.. model.Transform(data).GetColumn<float[]>(column)]);
        for (int t = 0; t < Threads; t++)
        {
            Assert.AreEqual(reference.Length, results[t].Length);
            for (int i = 0; i < reference.Length; i++)
            {
                CollectionAssert.AreEqual(reference[i], results[t][i], $"Transform on thread {t}, row {i}: {column} bit for bit");
            }
        }

        // PredictionEngine: one per thread (they are not thread-safe), against one engine on one thread.
        var schema = SchemaDefinition.Create(typeof(Output), SchemaDefinition.Direction.Read);
        schema[nameof(Output.Values)].ColumnName = column;
        float[][] single = Predict(ml, model, rows, schema);
        var engines = new float[Threads][][];
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t => engines[t] = Predict(ml, model, rows, schema));
        for (int t = 0; t < Threads; t++)
        {
            for (int i = 0; i < single.Length; i++)
            {
                CollectionAssert.AreEqual(single[i], engines[t][i], $"PredictionEngine on thread {t}, row {i}");
            }
        }
    }

    private static float[][] Predict<TRow>(MLContext ml, ITransformer model, List<TRow> rows, SchemaDefinition output)
        where TRow : class, new()
    {
        using PredictionEngine<TRow, Output> engine = ml.Model.CreatePredictionEngine<TRow, Output>(model, outputSchemaDefinition: output);
        return [.. rows.Select(r => engine.Predict(r).Values.ToArray())];
    }

    private sealed class Output
    {
        public float[] Values { get; set; } = [];
    }
}
