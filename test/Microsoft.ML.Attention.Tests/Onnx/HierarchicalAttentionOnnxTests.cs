using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tests.Transforms;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// The hierarchical attention network exported to ONNX (ONNX <c>GRU</c>/<c>LSTM</c> with sequence lengths) and run by ONNX
/// Runtime 1.31 on one padded batch of documents gives what the transformer's <c>Transform</c> gives: class
/// probabilities, sentence weights and word weights within 1e-4, and 0 on every padding word and padding sentence.
/// </summary>
[TestClass]
public sealed class HierarchicalAttentionOnnxTests
{
    private const float Tolerance = 1e-4f;

    [TestMethod]
    [DataRow(RecurrentCell.Gru)]
    [DataRow(RecurrentCell.Lstm)]
    public void Network_OnnxRuntime_PaddedBatch_MatchesTransform(RecurrentCell cell)
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(CueSentenceTask.Generate(160, seed: 7));
        IDataView keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(train);
        var model = (HierarchicalAttentionTransformer)ml.MulticlassClassification.Trainers.HierarchicalAttention(new HierarchicalAttentionOptions
        {
            Cell = cell, EmbeddingDimension = 12, HiddenSize = 10, AttentionDimension = 8, Epochs = 2, MinimumWordCount = 1, Seed = 4,
            SentenceAttentionColumnName = "SentenceAttention", WordAttentionColumnName = "WordAttention",
        }).Fit(keyed);

        List<CueSentenceTask> rows = CueSentenceTask.Generate(12, seed: 8);
        rows.Add(new CueSentenceTask { Label = "positive", Text = "One." });
        IDataView test = ml.Data.LoadFromEnumerable(rows);
        IDataView scored = model.Transform(test);
        float[][] probabilities = [.. scored.GetColumn<float[]>("Score")];
        float[][] sentenceWeights = [.. scored.GetColumn<float[]>("SentenceAttention")];
        float[][] wordWeights = [.. scored.GetColumn<float[]>("WordAttention")];

        int[][][] ids = [.. rows.Select(r => model.TokenIds(r.Text))];
        int sentences = ids.Max(d => d.Length), words = ids.Max(d => d.Max(s => s.Length));
        Assert.IsTrue(ids.Any(d => d.Length < sentences), "the batch must hold padding sentences");
        Assert.IsTrue(ids.Any(d => d.Any(s => s.Length < words)), "the batch must hold padding words");
        var tokens = new DenseTensor<long>([ids.Length, sentences, words]);
        for (int b = 0; b < ids.Length; b++)
        {
            for (int s = 0; s < ids[b].Length; s++)
            {
                for (int w = 0; w < ids[b][s].Length; w++)
                {
                    tokens[b, s, w] = ids[b][s][w];
                }
            }
        }

        using var onnx = new MemoryStream();
        model.ExportToOnnx(onnx);
        using var session = new InferenceSession(onnx.ToArray());
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results =
            session.Run([NamedOnnxValue.CreateFromTensor(HierarchicalAttentionTransformer.OnnxTokenIdsInputName, tokens)]);
        Tensor<float> p = results.First(v => v.Name == HierarchicalAttentionTransformer.OnnxProbabilitiesOutputName).AsTensor<float>();
        Tensor<float> logits = results.First(v => v.Name == HierarchicalAttentionTransformer.OnnxLogitsOutputName).AsTensor<float>();
        Tensor<float> sw = results.First(v => v.Name == "SentenceAttention").AsTensor<float>();
        Tensor<float> ww = results.First(v => v.Name == "WordAttention").AsTensor<float>();
        for (int b = 0; b < ids.Length; b++)
        {
            for (int c = 0; c < probabilities[b].Length; c++)
            {
                Assert.AreEqual(probabilities[b][c], p[b, c], Tolerance, $"document {b} class {c} probability");
            }

            Assert.AreEqual(1f, Enumerable.Range(0, probabilities[b].Length).Sum(c => p[b, c]), 1e-5f, $"document {b}: probabilities sum");
            int at = 0;
            for (int s = 0; s < sentences; s++)
            {
                bool real = s < ids[b].Length;
                Assert.AreEqual(real ? sentenceWeights[b][s] : 0f, sw[b, s], Tolerance, $"document {b} sentence {s} weight");
                for (int w = 0; w < words; w++)
                {
                    bool word = real && w < ids[b][s].Length;
                    Assert.AreEqual(word ? wordWeights[b][at++] : 0f, ww[b, s, w], Tolerance, $"document {b} sentence {s} word {w} weight");
                }
            }

            Assert.AreEqual(wordWeights[b].Length, at, $"document {b}: every word weight compared");
        }

        Assert.IsTrue(Enumerable.Range(0, ids.Length).Select(b => logits[b, 0]).Distinct().Count() > 1, "the logits must vary from document to document");
    }
}
