using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tests.Sequences;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// The time-step attention networks exported to ONNX — LSTM and GRU, one direction or both, classification and
/// regression, with the learned step scores — run by ONNX Runtime 1.31 give the transformer's scores and step weights
/// within 1e-4.
/// </summary>
[TestClass]
public sealed class TimeStepAttentionOnnxTests
{
    [TestMethod]
    [DataRow(RecurrentCell.Lstm, false, false)]
    [DataRow(RecurrentCell.Gru, true, false)]
    [DataRow(RecurrentCell.Lstm, true, true)]
    public void Network_OnnxRuntime_MatchesTransform(RecurrentCell cell, bool bidirectional, bool regression)
    {
        var ml = new MLContext(seed: 1);
        IDataView rows = ml.Data.LoadFromEnumerable(TimeStepAttentionPipelineTests.SeedTask(200, seed: 3));
        var options = new TimeStepAttentionOptions
        {
            Cell = cell, Bidirectional = bidirectional, HiddenSize = 6, AttentionDimension = 5, Epochs = 1, Seed = 2, StepAttentionColumnName = "Weights",
        };
        TimeStepAttentionTransformer model;
        IDataView data;
        if (regression)
        {
            options.LabelColumnName = "Value";
            data = rows;
            model = ml.Regression.Trainers.TimeStepAttention(options).Fit(data);
        }
        else
        {
            data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(rows).Transform(rows);
            model = ml.MulticlassClassification.Trainers.TimeStepAttention(options).Fit(data);
        }

        // One short epoch leaves the learned step scores near zero; give them values that move the weights, so that the
        // export is seen to add them.
        Span<float> stepScores = (model.Model.Attention.PositionBias ?? throw new AssertFailedException("StepBias is on by default")).AsSpan();
        for (int t = 0; t < stepScores.Length; t++)
        {
            stepScores[t] = 0.4f * ((t % 5) - 2);
        }

        IDataView scored = model.Transform(data);
        float[][] scores = regression ? [.. scored.GetColumn<float>("Score").Select(v => new[] { v })] : [.. scored.GetColumn<float[]>("Score")];
        float[][] weights = [.. scored.GetColumn<float[]>("Weights")];
        using var onnx = new MemoryStream();
        model.ExportToOnnx(onnx);
        using var session = new InferenceSession(onnx.ToArray());
        float[] features = [.. data.GetColumn<float[]>("Features").SelectMany(v => v)];
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(features, [scores.Length, features.Length / scores.Length]))]);
        float[] onnxScores = [.. results.First(r => r.Name == "Score").AsTensor<float>()], onnxWeights = [.. results.First(r => r.Name == "Weights").AsTensor<float>()];
        Support.Check.Close([.. scores.SelectMany(s => s)], onnxScores, $"{cell} bidirectional {bidirectional} regression {regression}: Score", rtol: 0f, atol: 1e-4f);
        Support.Check.Close([.. weights.SelectMany(w => w)], onnxWeights, $"{cell} bidirectional {bidirectional} regression {regression}: step weights", rtol: 0f, atol: 1e-4f);
        Assert.IsGreaterThan(scores.Length / 2, scores.Select(s => s[0]).Distinct().Count(), "the scores vary by row");
    }
}
