using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Serialization;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Models;

/// <summary>
/// Whole-model weight interchange with PyTorch for the recurrent visual attention (glimpse) classifier
/// (build/pytorch/recurrent_attention.py holds it as an nn.Module, scoring with the location policy's means): weights
/// trained in PyTorch load into the pack's transformer, which then glimpses where PyTorch did and scores as it did; the
/// pack's SaveWeights file (a REINFORCE-trained model) is one PyTorch's load_state_dict(strict=True) takes (the script's
/// check-pack). build/pytorch-fixtures.sh regenerates both.
/// </summary>
[TestClass]
public sealed class RecurrentAttentionInterchangeTests
{
    private static readonly ImageShape Shape = new(1, 16, 16);

    private static string Folder => InterchangeFixtures.Folder;

    private static RecurrentAttentionOptions Options => new()
    {
        Glimpses = 4, PatchSize = 4, Scales = 2, ScaleFactor = 2, GlimpseHidden = 16, HiddenSize = 24, LocationsColumnName = "Locations", Epochs = 4, Seed = 3,
    };

    [TestMethod]
    public void WeightsTrainedInPyTorch_LoadIntoTheTransformer_AndGlimpseAndScoreAsPyTorch()
    {
        Cases cases = Cases.Load(Path.Combine(Folder, "torch-glimpses-cases.json"));
        var model = RecurrentAttentionTransformer.FromWeights(Options, Shape, Path.Combine(Folder, "torch-glimpses.safetensors"), cases.LabelValues);
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

        Cases cases = Cases.Load(Path.Combine(Folder, "pack-glimpses-cases.json"));
        AssertScores(RecurrentAttentionTransformer.FromWeights(Options, Shape, Path.Combine(Folder, "pack-glimpses.safetensors")), cases, "the committed pack weights");
        Dictionary<string, Tensors.Tensor> state = SafeTensors.Load(Path.Combine(Folder, "pack-glimpses.safetensors"), out Dictionary<string, string> metadata);
        Assert.AreEqual(RecurrentAttentionTransformer.WeightsArchitecture, metadata["architecture"]);
        Assert.AreEqual("4", metadata["glimpses"]);
        CollectionAssert.IsSubsetOf(new[] { "glimpse_what.weight", "glimpse_where_out.bias", "core_hidden.weight", "location.weight", "baseline.bias", "input_std" }, state.Keys.ToArray());
    }

    [TestMethod]
    public void FromWeights_RefusesAnotherArchitecture_NamingTheTensor()
    {
        string path = Path.Combine(Folder, "torch-glimpses.safetensors");
        RecurrentAttentionOptions threeScales = Options;
        threeScales.Scales = 3;
        var e = Assert.ThrowsExactly<InvalidDataException>(() => RecurrentAttentionTransformer.FromWeights(threeScales, Shape, path));
        StringAssert.Contains(e.Message, "glimpse_what.weight");
        StringAssert.Contains(e.Message, "torch-glimpses.safetensors");
        Assert.ThrowsExactly<ArgumentException>(() => RecurrentAttentionTransformer.FromWeights(Options, Shape, path, ["a", "b"]));
        Assert.ThrowsExactly<FileNotFoundException>(() => RecurrentAttentionTransformer.FromWeights(Options, Shape, Path.Combine(Folder, "missing.safetensors")));
    }

    private static IDataView Data(Cases cases) => new MLContext(seed: 1).Data.LoadFromEnumerable(cases.Pixels.Select(p => new Picture { Features = p }));

    private static void AssertScores(RecurrentAttentionTransformer model, Cases cases, string what)
    {
        IDataView scored = model.Transform(Data(cases));
        float[][] scores = [.. scored.GetColumn<float[]>("Score")], locations = [.. scored.GetColumn<float[]>("Locations")];
        for (int r = 0; r < scores.Length; r++)
        {
            Support.Check.Close(cases.Probabilities[r], scores[r], $"{what}: Score of image {r}", rtol: 0f, atol: 1e-4f);
            Support.Check.Close(cases.Locations[r], locations[r], $"{what}: glimpse locations of image {r}", rtol: 0f, atol: 1e-4f);
        }

        Assert.IsGreaterThan(scores.Length / 2, locations.Select(l => l[^1]).Distinct().Count(), $"{what}: the last glimpse's place varies by image");
    }

    /// <summary>Trains the pack's glimpse classifier (seeded, REINFORCE) on bright squares in a quadrant and writes its weights and its outputs on the PyTorch cases' pixels.</summary>
    private static void Write(string folder)
    {
        Cases torch = Cases.Load(Path.Combine(Folder, "torch-glimpses-cases.json"));
        var ml = new MLContext(seed: 1);
        var random = new Random(5);
        var rows = Enumerable.Range(0, 300).Select(i =>
        {
            float[] p = [.. Enumerable.Range(0, 256).Select(_ => (float)Math.Floor(random.NextDouble() * 60))];
            int quadrant = i % 4, top = 8 * (quadrant / 2) + 2, left = 8 * (quadrant % 2) + 2;
            for (int r = top; r < top + 4; r++)
            {
                for (int c = left; c < left + 4; c++)
                {
                    p[r * 16 + c] = 255;
                }
            }

            return new Picture { Features = p, Label = quadrant.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        }).ToList();
        IDataView train = ml.Data.LoadFromEnumerable(rows);
        train = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(train);
        RecurrentAttentionTransformer model = ml.MulticlassClassification.Trainers.RecurrentAttention(Options).Fit(train);
        model.SaveWeights(Path.Combine(folder, "pack-glimpses.safetensors"));
        IDataView scored = model.Transform(Data(torch));
        var cases = new Cases { Pixels = torch.Pixels, Probabilities = [.. scored.GetColumn<float[]>("Score")], Locations = [.. scored.GetColumn<float[]>("Locations")] };
        InterchangeFixtures.Save(Path.Combine(folder, "pack-glimpses-cases.json"), cases);
    }

    private sealed class Picture
    {
        [VectorType(1, 16, 16)]
        public float[] Features { get; set; } = [];

        public string Label { get; set; } = "";
    }

    private sealed class Cases
    {
        public string[]? LabelValues { get; set; }

        public float[][] Pixels { get; set; } = [];

        public float[][] Probabilities { get; set; } = [];

        public float[][] Locations { get; set; } = [];

        public static Cases Load(string path) => InterchangeFixtures.Load<Cases>(path);
    }
}
