using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// The recurrent visual attention (glimpse) classifier exported to ONNX, run by ONNX Runtime 1.31, glimpses where the
/// transformer glimpses and gives its scores within 1e-4 — one and three scales, a colour image whose patches reach
/// past its borders.
/// </summary>
[TestClass]
public sealed class RecurrentAttentionOnnxTests
{
    [TestMethod]
    [DataRow(1)]
    [DataRow(3)]
    public void Network_OnnxRuntime_MatchesTransform(int scales)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(ImageAttentionOnnxTests.Pictures(40, seed: 6));
        data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        RecurrentAttentionTransformer model = ml.MulticlassClassification.Trainers.RecurrentAttention(new RecurrentAttentionOptions
        {
            Glimpses = 4, PatchSize = 4, Scales = scales, ScaleFactor = 2, GlimpseHidden = 8, HiddenSize = 12, Epochs = 2, Seed = 2, LocationsColumnName = "Glimpses",
        }).Fit(data);
        IDataView scored = model.Transform(data);
        float[][] scores = [.. scored.GetColumn<float[]>("Score")], locations = [.. scored.GetColumn<float[]>("Glimpses")];
        using var onnx = new MemoryStream();
        model.ExportToOnnx(onnx);
        using var session = new InferenceSession(onnx.ToArray());
        float[] pixels = [.. data.GetColumn<float[]>("Features").SelectMany(p => p)];
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(pixels, [scores.Length, pixels.Length / scores.Length]))]);
        Support.Check.Close([.. locations.SelectMany(l => l)], [.. results.First(r => r.Name == "Glimpses").AsTensor<float>()], $"{scales} scales: glimpse locations", rtol: 0f, atol: 1e-4f);
        Support.Check.Close([.. scores.SelectMany(s => s)], [.. results.First(r => r.Name == "Score").AsTensor<float>()], $"{scales} scales: Score", rtol: 0f, atol: 1e-4f);
        Assert.IsGreaterThan(scores.Length / 2, locations.Select(l => l[^1]).Distinct().Count(), "the last glimpse's place varies by image");
    }
}
