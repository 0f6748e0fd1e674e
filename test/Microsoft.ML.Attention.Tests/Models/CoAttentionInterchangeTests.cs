using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Serialization;
using Microsoft.ML.Attention.Tests.Sequences;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Models;

/// <summary>
/// Whole-model weight interchange with PyTorch for the co-attention pair classifier (build/pytorch/co_attention.py holds
/// it as an nn.Module): a bilinear-affinity model trained in PyTorch loads into the pack's transformer and scores as
/// PyTorch did (logit, probability, both alignment matrices); the pack's SaveWeights file of a dot-product model is one
/// PyTorch's load_state_dict(strict=True) takes (the script's check-pack). build/pytorch-fixtures.sh regenerates both.
/// </summary>
[TestClass]
public sealed class CoAttentionInterchangeTests
{
    private static string Folder => InterchangeFixtures.Folder;

    private static CoAttentionOptions Options(bool bilinear) => new()
    {
        FirstColumnName = "First", SecondColumnName = "Second", EmbeddingDimension = 8, HiddenSize = 8, AttentionDimension = 6, BilinearAffinity = bilinear,
        FirstToSecondAttentionColumnName = "Forward", SecondToFirstAttentionColumnName = "Backward", Epochs = 6, MinimumWordCount = 1, Seed = 5,
    };

    [TestMethod]
    public void WeightsTrainedInPyTorch_LoadIntoTheTransformer_AndScoreAsPyTorch()
    {
        Cases cases = Cases.Load(Path.Combine(Folder, "torch-co-attention-cases.json"));
        var model = CoAttentionTransformer.FromWeights(Options(bilinear: true), cases.Vocabulary, Path.Combine(Folder, "torch-co-attention.safetensors"));
        AssertScores(model, cases, "PyTorch's weights in the pack");
    }

    [TestMethod]
    public void PackWeightsCommittedForPyTorch_StillScoreAsTheirCases()
    {
        if (InterchangeFixtures.WriteFolder() is { } write)
        {
            Write(write);
        }

        Cases cases = Cases.Load(Path.Combine(Folder, "pack-co-attention-cases.json"));
        var model = CoAttentionTransformer.FromWeights(Options(bilinear: false), cases.Vocabulary, Path.Combine(Folder, "pack-co-attention.safetensors"));
        AssertScores(model, cases, "the committed pack weights");
        Dictionary<string, Tensors.Tensor> state = SafeTensors.Load(Path.Combine(Folder, "pack-co-attention.safetensors"), out Dictionary<string, string> metadata);
        Assert.AreEqual(CoAttentionTransformer.WeightsArchitecture, metadata["architecture"]);
        Assert.AreEqual("false", metadata["bilinear"]);
        CollectionAssert.IsSubsetOf(new[] { "embedding.weight", "encoder.weight_ih_l0_reverse", "compose.weight", "pooling.context", "hidden.bias", "head.weight" }, state.Keys.ToArray());
    }

    [TestMethod]
    public void FromWeights_RefusesAnotherArchitecture_NamingTheTensor()
    {
        Cases cases = Cases.Load(Path.Combine(Folder, "torch-co-attention-cases.json"));
        string path = Path.Combine(Folder, "torch-co-attention.safetensors");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => CoAttentionTransformer.FromWeights(Options(bilinear: false), cases.Vocabulary, path));
        StringAssert.Contains(e.Message, "co_attention.W.weight");
        StringAssert.Contains(e.Message, "torch-co-attention.safetensors");
        Assert.ThrowsExactly<ArgumentException>(() => CoAttentionTransformer.FromWeights(Options(bilinear: true), ["<pad>", "<unk>"], path));
        Assert.ThrowsExactly<FileNotFoundException>(() => CoAttentionTransformer.FromWeights(Options(bilinear: true), cases.Vocabulary, Path.Combine(Folder, "missing.safetensors")));
    }

    private static IDataView Data(Cases cases) =>
        new MLContext(seed: 1).Data.LoadFromEnumerable(cases.Firsts.Zip(cases.Seconds).Select(p => new CoAttentionPipelineTests.Pair { First = p.First, Second = p.Second }));

    private static void AssertScores(CoAttentionTransformer model, Cases cases, string what)
    {
        IDataView scored = model.Transform(Data(cases));
        float[] logits = [.. scored.GetColumn<float>("Score")], probabilities = [.. scored.GetColumn<float>("Probability")];
        float[][] forward = [.. scored.GetColumn<float[]>("Forward")], backward = [.. scored.GetColumn<float[]>("Backward")];
        Support.Check.Close(cases.Logits, logits, $"{what}: logits", rtol: 0f, atol: 1e-4f);
        Support.Check.Close([.. cases.Logits.Select(l => 1f / (1f + MathF.Exp(-l)))], probabilities, $"{what}: probabilities", rtol: 0f, atol: 1e-4f);
        for (int r = 0; r < logits.Length; r++)
        {
            Support.Check.Close(cases.FirstToSecond[r], forward[r], $"{what}: first-to-second weights of pair {r}", rtol: 0f, atol: 1e-4f);
            Support.Check.Close(cases.SecondToFirst[r], backward[r], $"{what}: second-to-first weights of pair {r}", rtol: 0f, atol: 1e-4f);
        }

        Assert.IsGreaterThan(logits.Length / 2, logits.Distinct().Count(), $"{what}: the logits vary by pair");
    }

    /// <summary>Trains the pack's dot-product model (seeded) on the pipeline test's translation pairs and writes its weights and its outputs on 20 more.</summary>
    private static void Write(string folder)
    {
        var ml = new MLContext(seed: 1);
        CoAttentionTransformer model = ml.BinaryClassification.Trainers.CoAttention(Options(bilinear: false)).Fit(ml.Data.LoadFromEnumerable(CoAttentionPipelineTests.Pairs(400, seed: 7)));
        model.SaveWeights(Path.Combine(folder, "pack-co-attention.safetensors"));
        Pair[] pairs = CoAttentionPipelineTests.Pairs(20, seed: 8).Select(p => new Pair(p.First, p.Second)).ToArray();
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(pairs.Select(p => new CoAttentionPipelineTests.Pair { First = p.First, Second = p.Second })));
        var cases = new Cases
        {
            Vocabulary = [.. model.VocabularyWords], Firsts = [.. pairs.Select(p => p.First)], Seconds = [.. pairs.Select(p => p.Second)],
            Logits = [.. scored.GetColumn<float>("Score")], FirstToSecond = [.. scored.GetColumn<float[]>("Forward")], SecondToFirst = [.. scored.GetColumn<float[]>("Backward")],
        };
        InterchangeFixtures.Save(Path.Combine(folder, "pack-co-attention-cases.json"), cases);
    }

    private sealed record Pair(string First, string Second);

    private sealed class Cases
    {
        public string[] Vocabulary { get; set; } = [];

        public string[] Firsts { get; set; } = [];

        public string[] Seconds { get; set; } = [];

        public float[] Logits { get; set; } = [];

        public float[][] FirstToSecond { get; set; } = [];

        public float[][] SecondToFirst { get; set; } = [];

        public static Cases Load(string path) => InterchangeFixtures.Load<Cases>(path);
    }
}
