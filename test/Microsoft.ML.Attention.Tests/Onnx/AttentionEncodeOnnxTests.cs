using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Onnx;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// The AttentionEncode encoder exported to ONNX and run by ONNX Runtime 1.31 gives the transformer's embedding and
/// attention weights within 1e-4: text in padded batches of mixed lengths, text as ML.NET key values, and float steps.
/// </summary>
[TestClass]
public sealed class AttentionEncodeOnnxTests
{
    private const float Tolerance = 1e-4f;

    [TestMethod]
    public void TextEncoder_OnnxRuntime_PaddedBatch_MatchesTransform()
    {
        var ml = new MLContext(seed: 1);
        (AttentionEncodeTransformer model, IDataView data, List<PunctuatedReviews> rows) = TrainText(ml, layers: 2);
        float[][] embeddings = [.. model.Transform(data).GetColumn<float[]>("Embedding")];
        float[][] weights = [.. model.Transform(data).GetColumn<float[]>("Weights")];
        using var onnx = new MemoryStream();
        model.ExportToOnnx(onnx, data.Schema);
        using var session = new InferenceSession(onnx.ToArray());

        // Every row in one padded batch: rows of 3 to 20 words, the shorter padded with 0 at the end.
        var vocabulary = new Vocabulary([.. model.VocabularyWords!]);
        int[][] ids = [.. rows.Select(r => vocabulary.Encode(Vocabulary.Tokenize(r.Text)))];
        int length = ids.Max(i => i.Length);
        Assert.IsTrue(ids.Min(i => i.Length) < length, "the batch must hold padding");
        var tokens = new DenseTensor<long>([ids.Length, length]);
        for (int r = 0; r < ids.Length; r++)
        {
            for (int t = 0; t < ids[r].Length; t++)
            {
                tokens[r, t] = ids[r][t];
            }
        }

        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run([NamedOnnxValue.CreateFromTensor(AttentionEncodeTransformer.OnnxTokenIdsInputName, tokens)]);
        AssertRows(embeddings, results.First(v => v.Name == "Embedding").AsTensor<float>(), "Embedding");
        AssertRows(weights, results.First(v => v.Name == "Weights").AsTensor<float>(), "Weights");
    }

    [TestMethod]
    public void TextEncoder_MLNetRowForm_KeyValues_MatchesTransform()
    {
        var ml = new MLContext(seed: 2);
        (AttentionEncodeTransformer model, IDataView data, List<PunctuatedReviews> rows) = TrainText(ml, layers: 1);
        float[][] embeddings = [.. model.Transform(data).GetColumn<float[]>("Embedding")];
        using var onnx = new MemoryStream();
        model.ExportToOnnx(onnx, data.Schema, OnnxExportForm.MLNetRow);
        using var session = new InferenceSession(onnx.ToArray());
        var vocabulary = new Vocabulary([.. model.VocabularyWords!]);
        for (int r = 0; r < 10; r++)
        {
            // MapValueToKey's numbering: id + 1, and 0 for a word the vocabulary lacks.
            uint[] keys = [.. Vocabulary.Tokenize(rows[r].Text).Select(w => model.VocabularyWords!.Contains(w) ? (uint)vocabulary.Encode([w])[0] + 1 : 0u)];
            Assert.IsTrue(r > 0 || keys.Length > 0);
            var input = new DenseTensor<uint>(keys, [1, keys.Length]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("Text", input)]);
            Tensor<float> embedding = results.First(v => v.Name == "Embedding").AsTensor<float>();
            Assert.AreEqual(1, embedding.Rank, "no batch dimension");
            AssertRows([embeddings[r]], embedding.Reshape([1, (int)embedding.Length]), $"Embedding of row {r}");
        }
    }

    [TestMethod]
    public void VectorEncoder_OnnxRuntime_MatchesTransform()
    {
        var ml = new MLContext(seed: 3);
        var random = new Random(4);
        var rows = Enumerable.Range(0, 60).Select(i => new StepRow
        {
            Features = [.. Enumerable.Range(0, 24).Select(_ => (float)random.NextDouble() * 2 - 1)],
            Label = i % 2 == 0,
        }).ToList();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        AttentionEncodeTransformer model = ml.Transforms.AttentionEncode(new AttentionEncodeOptions
        {
            InputColumnName = "Features", StepSize = 4, MaximumLength = 8, ModelDimension = 16, Heads = 2, Layers = 2, FeedForwardDimension = 24,
            Epochs = 1, Seed = 5, AttentionWeightsColumnName = "Weights",
        }).Fit(data);
        float[][] embeddings = [.. model.Transform(data).GetColumn<float[]>("Embedding")];
        float[][] weights = [.. model.Transform(data).GetColumn<float[]>("Weights")];
        using var onnx = new MemoryStream();
        model.ExportToOnnx(onnx, data.Schema);
        using var session = new InferenceSession(onnx.ToArray());
        using (var rowForm = new MemoryStream())
        {
            // One ML.NET row: [1, size] in, no batch dimension out.
            model.ExportToOnnx(rowForm, data.Schema, OnnxExportForm.MLNetRow);
            using var rowSession = new InferenceSession(rowForm.ToArray());
            for (int r = 0; r < 5; r++)
            {
                using var one = rowSession.Run([NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(rows[r].Features, [1, 24]))]);
                Tensor<float> e = one.First(v => v.Name == "Embedding").AsTensor<float>();
                AssertRows([embeddings[r]], e.Reshape([1, (int)e.Length]), $"row {r} in ML.NET row form");
            }
        }

        var input = new DenseTensor<float>(rows.SelectMany(r => r.Features).ToArray(), [rows.Count, 24]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", input)]);
        AssertRows(embeddings, results.First(v => v.Name == "Embedding").AsTensor<float>(), "Embedding");
        AssertRows(weights, results.First(v => v.Name == "Weights").AsTensor<float>(), "Weights");
    }

    [TestMethod]
    public void Export_RefusesAnUnwritableStream_AndAWrongSchema()
    {
        var ml = new MLContext(seed: 1);
        (AttentionEncodeTransformer model, IDataView data, _) = TrainText(ml, layers: 1);
        using var readOnly = new MemoryStream([], writable: false);
        var e = Assert.ThrowsExactly<ArgumentException>(() => model.ExportToOnnx(readOnly, data.Schema));
        StringAssert.Contains(e.Message, "not writable");
        IDataView other = ml.Data.LoadFromEnumerable([new StepRow { Features = [1f] }]);
        var schemaError = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.ExportToOnnx(new MemoryStream(), other.Schema));
        StringAssert.Contains(schemaError.Message, "'Text' not found");
    }

    internal static (AttentionEncodeTransformer Model, IDataView Data, List<PunctuatedReviews> Rows) TrainText(MLContext ml, int layers)
    {
        List<PunctuatedReviews> rows = PunctuatedReviews.Generate(120, seed: 7);
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        IDataView keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        AttentionEncodeTransformer model = ml.Transforms.AttentionEncode(new AttentionEncodeOptions
        {
            ModelDimension = 16, Heads = 2, Layers = layers, FeedForwardDimension = 32, Epochs = 2, MaximumLength = 24, Seed = 3,
            AttentionWeightsColumnName = "Weights", VocabularySize = 40,
        }).Fit(keyed);
        return (model, keyed, rows);
    }

    private static void AssertRows(float[][] expected, Tensor<float> actual, string what)
    {
        int width = actual.Dimensions[1];
        Assert.AreEqual(expected.Length, actual.Dimensions[0], $"{what}: rows");
        Assert.AreEqual(expected[0].Length, width, $"{what}: width");
        float worst = 0f;
        for (int r = 0; r < expected.Length; r++)
        {
            for (int c = 0; c < width; c++)
            {
                worst = MathF.Max(worst, MathF.Abs(expected[r][c] - actual[r, c]));
            }
        }

        Assert.IsTrue(worst <= Tolerance, $"{what}: ONNX Runtime differs from the pack by up to {worst}");
    }

    private sealed class StepRow
    {
        [VectorType(24)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }
}
