using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tests.Sequences;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// The co-attention pair classifier exported to ONNX (dot-product and bilinear affinity), run by ONNX Runtime 1.31 on a
/// padded batch of pairs of different lengths, gives the transformer's logits, probabilities and both alignment matrices
/// (over each pair's own words) within 1e-4.
/// </summary>
[TestClass]
public sealed class CoAttentionOnnxTests
{
    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void Network_OnnxRuntime_MatchesTransform(bool bilinear)
    {
        var ml = new MLContext(seed: 1);
        CoAttentionTransformer model = ml.BinaryClassification.Trainers.CoAttention(new CoAttentionOptions
        {
            FirstColumnName = "First", SecondColumnName = "Second", EmbeddingDimension = 6, HiddenSize = 5, AttentionDimension = 4, BilinearAffinity = bilinear,
            Epochs = 1, Seed = 3, FirstToSecondAttentionColumnName = "Forward", SecondToFirstAttentionColumnName = "Backward",
        }).Fit(ml.Data.LoadFromEnumerable(CoAttentionPipelineTests.Pairs(200, seed: 1)));
        CoAttentionPipelineTests.Pair[] pairs = CoAttentionPipelineTests.Pairs(12, seed: 2);
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(pairs));
        float[] logits = [.. scored.GetColumn<float>("Score")], probabilities = [.. scored.GetColumn<float>("Probability")];
        float[][] forward = [.. scored.GetColumn<float[]>("Forward")], backward = [.. scored.GetColumn<float[]>("Backward")];

        int[][] a = [.. pairs.Select(p => model.WordIds(p.First))], b = [.. pairs.Select(p => model.WordIds(p.Second))];
        int la = a.Max(r => r.Length), lb = b.Max(r => r.Length);
        using var onnx = new MemoryStream();
        model.ExportToOnnx(onnx);
        using var session = new InferenceSession(onnx.ToArray());
        using var results = session.Run([
            NamedOnnxValue.CreateFromTensor(CoAttentionTransformer.OnnxFirstIdsInputName, Padded(a, la)),
            NamedOnnxValue.CreateFromTensor(CoAttentionTransformer.OnnxSecondIdsInputName, Padded(b, lb))]);
        float[] onnxLogits = [.. results.First(r => r.Name == "Score").AsTensor<float>()], onnxProbabilities = [.. results.First(r => r.Name == "Probability").AsTensor<float>()];
        float[] onnxForward = [.. results.First(r => r.Name == "Forward").AsTensor<float>()], onnxBackward = [.. results.First(r => r.Name == "Backward").AsTensor<float>()];
        Support.Check.Close(logits, onnxLogits, $"bilinear {bilinear}: logits", rtol: 0f, atol: 1e-4f);
        Support.Check.Close(probabilities, onnxProbabilities, $"bilinear {bilinear}: probabilities", rtol: 0f, atol: 1e-4f);
        for (int i = 0; i < pairs.Length; i++)
        {
            Support.Check.Close(forward[i], Cut(onnxForward, i, la, lb, a[i].Length, b[i].Length), $"bilinear {bilinear}: first-to-second of pair {i}", rtol: 0f, atol: 1e-4f);
            Support.Check.Close(backward[i], Cut(onnxBackward, i, lb, la, b[i].Length, a[i].Length), $"bilinear {bilinear}: second-to-first of pair {i}", rtol: 0f, atol: 1e-4f);
        }

        Assert.IsGreaterThan(pairs.Length / 2, logits.Distinct().Count(), "the logits vary by pair");
        Assert.IsGreaterThan(1, a.Select(r => r.Length).Distinct().Count(), "the batch pads some texts");
    }

    private static DenseTensor<long> Padded(int[][] rows, int length)
    {
        long[] ids = new long[rows.Length * length];
        for (int i = 0; i < rows.Length; i++)
        {
            for (int t = 0; t < rows[i].Length; t++)
            {
                ids[i * length + t] = rows[i][t];
            }
        }

        return new DenseTensor<long>(ids, [rows.Length, length]);
    }

    private static float[] Cut(float[] block, int k, int height, int width, int rows, int columns)
    {
        float[] m = new float[rows * columns];
        for (int r = 0; r < rows; r++)
        {
            Array.Copy(block, (k * height + r) * width, m, r * columns, columns);
        }

        return m;
    }
}
