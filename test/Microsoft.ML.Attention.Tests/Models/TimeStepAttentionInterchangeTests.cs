using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Serialization;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Models;

/// <summary>
/// Whole-model weight interchange with PyTorch for the time-step attention model (build/pytorch/time_step_attention.py
/// holds it as an nn.Module): a bidirectional LSTM classifier trained in PyTorch loads into the pack's transformer and
/// scores as PyTorch did (probabilities, step weights); the pack's SaveWeights file of a GRU regressor is one PyTorch's
/// load_state_dict(strict=True) takes (the script's check-pack). build/pytorch-fixtures.sh regenerates both.
/// </summary>
[TestClass]
public sealed class TimeStepAttentionInterchangeTests
{
    private const int Steps = 12, Size = 2;

    private static string Folder => InterchangeFixtures.Folder;

    private static TimeStepAttentionOptions TorchOptions => new()
    {
        Cell = RecurrentCell.Lstm, Bidirectional = true, StepSize = Size, HiddenSize = 8, AttentionDimension = 6, StepAttentionColumnName = "Weights",
    };

    private static TimeStepAttentionOptions PackOptions => new()
    {
        Cell = RecurrentCell.Gru, StepSize = Size, HiddenSize = 6, AttentionDimension = 5, StepAttentionColumnName = "Weights", LabelColumnName = "Value",
        Epochs = 6, Seed = 3,
    };

    [TestMethod]
    public void WeightsTrainedInPyTorch_LoadIntoTheTransformer_AndScoreAsPyTorch()
    {
        Cases cases = Cases.Load(Path.Combine(Folder, "torch-time-steps-cases.json"));
        var model = TimeStepAttentionTransformer.FromWeights(TorchOptions, Steps, Path.Combine(Folder, "torch-time-steps.safetensors"), cases.LabelValues);
        Assert.IsFalse(model.Regression);
        AssertScores(model, cases, "PyTorch's weights in the pack");
        VBuffer<ReadOnlyMemory<char>> keys = default;
        model.GetOutputSchema(Data(cases).Schema)["PredictedLabel"].GetKeyValues(ref keys);
        CollectionAssert.AreEqual(cases.LabelValues, keys.DenseValues().Select(v => v.ToString()).ToArray());
    }

    [TestMethod]
    public void PackWeightsCommittedForPyTorch_StillScoreAsTheirCases()
    {
        if (InterchangeFixtures.WriteFolder() is { } write)
        {
            Write(write);
        }

        Cases cases = Cases.Load(Path.Combine(Folder, "pack-time-steps-cases.json"));
        var model = TimeStepAttentionTransformer.FromWeights(PackOptions, Steps, Path.Combine(Folder, "pack-time-steps.safetensors"));
        Assert.IsTrue(model.Regression);
        AssertScores(model, cases, "the committed pack weights");
        Dictionary<string, Tensors.Tensor> state = SafeTensors.Load(Path.Combine(Folder, "pack-time-steps.safetensors"), out Dictionary<string, string> metadata);
        Assert.AreEqual(TimeStepAttentionTransformer.WeightsArchitecture, metadata["architecture"]);
        Assert.AreEqual("gru", metadata["cell"]);
        CollectionAssert.IsSubsetOf(new[] { "recurrent.weight_ih_l0", "recurrent.bias_hh_l0", "attention.proj.weight", "attention.context", "head.weight" }, state.Keys.ToArray());
    }

    [TestMethod]
    public void FromWeights_RefusesAnotherArchitectureOrLabelsThatDoNotFit_NamingWhat()
    {
        string path = Path.Combine(Folder, "torch-time-steps.safetensors");
        TimeStepAttentionOptions forward = TorchOptions;
        forward.Bidirectional = false;
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TimeStepAttentionTransformer.FromWeights(forward, Steps, path));
        StringAssert.Contains(e.Message, "recurrent.weight_ih_l0_reverse");
        StringAssert.Contains(e.Message, "torch-time-steps.safetensors");
        var a = Assert.ThrowsExactly<ArgumentException>(() => TimeStepAttentionTransformer.FromWeights(TorchOptions, Steps, path, ["a", "b"]));
        StringAssert.Contains(a.Message, "2 label values for the 3 classes");
        Assert.ThrowsExactly<FileNotFoundException>(() => TimeStepAttentionTransformer.FromWeights(TorchOptions, Steps, Path.Combine(Folder, "missing.safetensors")));
    }

    private static IDataView Data(Cases cases) => new MLContext(seed: 1).Data.LoadFromEnumerable(cases.Rows.Select(r => new Row { Features = r }));

    private static void AssertScores(TimeStepAttentionTransformer model, Cases cases, string what)
    {
        IDataView scored = model.Transform(Data(cases));
        float[][] scores = model.Regression ? [.. scored.GetColumn<float>("Score").Select(v => new[] { v })] : [.. scored.GetColumn<float[]>("Score")];
        float[][] weights = [.. scored.GetColumn<float[]>("Weights")];
        for (int r = 0; r < scores.Length; r++)
        {
            Support.Check.Close(cases.Scores[r], scores[r], $"{what}: Score of row {r}", rtol: 0f, atol: 1e-4f);
            Support.Check.Close(cases.Weights[r], weights[r], $"{what}: step weights of row {r}", rtol: 0f, atol: 1e-4f);
        }

        Assert.IsGreaterThan(scores.Length / 2, scores.Select(s => s[0]).Distinct().Count(), $"{what}: the scores vary by row");
    }

    /// <summary>Trains the pack's GRU regressor (seeded) on the value at step 4 and writes its weights and outputs on the PyTorch cases' rows.</summary>
    private static void Write(string folder)
    {
        Cases torch = Cases.Load(Path.Combine(Folder, "torch-time-steps-cases.json"));
        var ml = new MLContext(seed: 1);
        var random = new Random(9);
        var rows = Enumerable.Range(0, 400).Select(_ =>
        {
            float[] v = [.. Enumerable.Range(0, Steps * Size).Select(_ => (float)random.NextDouble())];
            return new Row { Features = v, Value = v[4 * Size] };
        }).ToList();
        TimeStepAttentionTransformer model = ml.Regression.Trainers.TimeStepAttention(PackOptions).Fit(ml.Data.LoadFromEnumerable(rows));
        model.SaveWeights(Path.Combine(folder, "pack-time-steps.safetensors"));
        IDataView scored = model.Transform(Data(torch));
        var cases = new Cases
        {
            Rows = torch.Rows, Scores = [.. scored.GetColumn<float>("Score").Select(v => new[] { v })], Weights = [.. scored.GetColumn<float[]>("Weights")],
        };
        InterchangeFixtures.Save(Path.Combine(folder, "pack-time-steps-cases.json"), cases);
    }

    private sealed class Row
    {
        [VectorType(Steps * Size)]
        public float[] Features { get; set; } = [];

        public float Value { get; set; }
    }

    private sealed class Cases
    {
        public string[]? LabelValues { get; set; }

        public float[][] Rows { get; set; } = [];

        public float[][] Scores { get; set; } = [];

        public float[][] Weights { get; set; } = [];

        public static Cases Load(string path) => InterchangeFixtures.Load<Cases>(path);
    }
}
