using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Serialization;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Models;

/// <summary>
/// Whole-model weight interchange with PyTorch for AttentionEncode (build/pytorch/attention_encoder.py holds the same
/// network as an nn.Module): weights trained in PyTorch load into the pack's transformer and score as PyTorch did, and
/// the pack's SaveWeights file is one PyTorch's load_state_dict(strict=True) takes (the script's check-pack; this test
/// keeps the committed file and its expected outputs in step with the pack). build/pytorch-fixtures.sh regenerates both.
/// </summary>
[TestClass]
public sealed class AttentionEncodeInterchangeTests
{
    private static string Folder => InterchangeFixtures.Folder;

    private static AttentionEncodeOptions Options => new()
    {
        ModelDimension = 16, Heads = 2, Layers = 2, FeedForwardDimension = 32, MaximumLength = 12, TruncateLongText = true,
        AttentionWeightsColumnName = "Weights", Epochs = 2, Seed = 5,
    };

    [TestMethod]
    public void WeightsTrainedInPyTorch_LoadIntoTheTransformer_AndScoreAsPyTorch()
    {
        Cases cases = Cases.Load(Path.Combine(Folder, "torch-encoder-cases.json"));
        var model = AttentionEncodeTransformer.FromWeights(Options, cases.Vocabulary, Path.Combine(Folder, "torch-encoder.safetensors"));
        AssertScores(model, cases, "PyTorch's weights in the pack");
    }

    [TestMethod]
    public void PackWeightsCommittedForPyTorch_StillScoreAsTheirCases()
    {
        if (InterchangeFixtures.WriteFolder() is { } write)
        {
            Write(write);
        }

        Cases cases = Cases.Load(Path.Combine(Folder, "pack-encoder-cases.json"));
        var model = AttentionEncodeTransformer.FromWeights(Options, cases.Vocabulary, Path.Combine(Folder, "pack-encoder.safetensors"));
        AssertScores(model, cases, "the committed pack weights");
        Dictionary<string, Tensors.Tensor> state = SafeTensors.Load(Path.Combine(Folder, "pack-encoder.safetensors"), out Dictionary<string, string> metadata);
        Assert.AreEqual(AttentionEncodeTransformer.WeightsArchitecture, metadata["architecture"]);
        CollectionAssert.IsSubsetOf(new[] { "embedding.weight", "positions.weight", "encoder.layers.1.self_attn.in_proj_weight", "encoder.norm.weight", "pool.context", "head.weight" }, state.Keys.ToArray());
    }

    [TestMethod]
    public void FromWeights_RefusesAFileOfAnotherArchitecture_NamingTheTensor()
    {
        Cases cases = Cases.Load(Path.Combine(Folder, "torch-encoder-cases.json"));
        AttentionEncodeOptions wider = Options;
        wider.FeedForwardDimension = 64;
        var e = Assert.ThrowsExactly<InvalidDataException>(() => AttentionEncodeTransformer.FromWeights(wider, cases.Vocabulary, Path.Combine(Folder, "torch-encoder.safetensors")));
        StringAssert.Contains(e.Message, "linear1.weight");
        StringAssert.Contains(e.Message, "torch-encoder.safetensors");
        Assert.ThrowsExactly<ArgumentException>(() => AttentionEncodeTransformer.FromWeights(Options, null, Path.Combine(Folder, "torch-encoder.safetensors")));
        Assert.ThrowsExactly<FileNotFoundException>(() => AttentionEncodeTransformer.FromWeights(Options, cases.Vocabulary, Path.Combine(Folder, "missing.safetensors")));
    }

    private static void AssertScores(AttentionEncodeTransformer model, Cases cases, string what)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(cases.Texts.Select(t => new TextRow { Text = t }));
        IDataView scored = model.Transform(data);
        float[][] embedding = [.. scored.GetColumn<float[]>("Embedding")], weights = [.. scored.GetColumn<float[]>("Weights")];
        for (int r = 0; r < cases.Texts.Length; r++)
        {
            Support.Check.Close(cases.Embedding[r], embedding[r], $"{what}: embedding of '{cases.Texts[r]}'", rtol: 0f, atol: 1e-4f);
            Support.Check.Close(cases.Weights[r], weights[r], $"{what}: weights of '{cases.Texts[r]}'", rtol: 0f, atol: 1e-4f);
        }
    }

    /// <summary>Trains the pack's model (seeded) on the PyTorch cases' vocabulary and writes its weights and outputs.</summary>
    private static void Write(string folder)
    {
        Cases torch = Cases.Load(Path.Combine(Folder, "torch-encoder-cases.json"));
        var ml = new MLContext(seed: 1);
        var random = new Random(8);
        var rows = Enumerable.Range(0, 300).Select(_ =>
        {
            string text = string.Join(' ', Enumerable.Range(0, random.Next(2, 12)).Select(_ => torch.Vocabulary[random.Next(2, torch.Vocabulary.Length)]));
            return new LabeledRow { Text = text, Label = text.Split(' ').Contains("w5") };
        }).ToList();
        AttentionEncodeOptions options = Options;
        options.VocabularySize = torch.Vocabulary.Length;
        var model = ml.Transforms.AttentionEncode(options).Fit(ml.Data.LoadFromEnumerable(rows));
        model.SaveWeights(Path.Combine(folder, "pack-encoder.safetensors"));
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(torch.Texts.Select(t => new TextRow { Text = t })));
        var cases = new Cases
        {
            Vocabulary = [.. model.VocabularyWords!], Texts = torch.Texts,
            Embedding = [.. scored.GetColumn<float[]>("Embedding")], Weights = [.. scored.GetColumn<float[]>("Weights")],
        };
        InterchangeFixtures.Save(Path.Combine(folder, "pack-encoder-cases.json"), cases);
    }

    private sealed class Cases
    {
        public string[] Vocabulary { get; set; } = [];

        public string[] Texts { get; set; } = [];

        public float[][] Embedding { get; set; } = [];

        public float[][] Weights { get; set; } = [];

        public static Cases Load(string path) => InterchangeFixtures.Load<Cases>(path);
    }

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    private sealed class LabeledRow
    {
        public string Text { get; set; } = "";

        public bool Label { get; set; }
    }
}
