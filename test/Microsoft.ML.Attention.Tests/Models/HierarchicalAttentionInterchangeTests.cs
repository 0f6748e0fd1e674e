using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Serialization;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Models;

/// <summary>
/// Whole-model weight interchange with PyTorch for the hierarchical attention network (build/pytorch/hierarchical_attention.py
/// holds the same network as an nn.Module, packed sequences per sentence and per document): weights trained in PyTorch
/// load into the pack's transformer and score as PyTorch did — the pack's tokenizer reading the texts into the sentences
/// PyTorch was given — and the pack's SaveWeights file is one PyTorch's load_state_dict(strict=True) takes (the script's
/// check-pack). build/pytorch-fixtures.sh regenerates both.
/// </summary>
[TestClass]
public sealed class HierarchicalAttentionInterchangeTests
{
    private static string Folder => InterchangeFixtures.Folder;

    private static HierarchicalAttentionOptions Options => new()
    {
        EmbeddingDimension = 12, HiddenSize = 8, AttentionDimension = 10, Epochs = 6, BatchSize = 16, MinimumWordCount = 1, Seed = 4,
        SentenceAttentionColumnName = "SentenceWeights", WordAttentionColumnName = "WordWeights", SentencesColumnName = "Sentences", WordsColumnName = "Words",
    };

    [TestMethod]
    public void WeightsTrainedInPyTorch_LoadIntoTheTransformer_AndScoreAsPyTorch()
    {
        Cases cases = Cases.Load(Path.Combine(Folder, "torch-han-cases.json"));
        var model = HierarchicalAttentionTransformer.FromWeights(Options, cases.Vocabulary, Path.Combine(Folder, "torch-han.safetensors"), labelValues: cases.LabelValues);
        AssertScores(model, cases, "PyTorch's weights in the pack");
        var ml = new MLContext(seed: 1);
        VBuffer<ReadOnlyMemory<char>> keys = default;
        model.GetOutputSchema(ml.Data.LoadFromEnumerable(new[] { new TextRow() }).Schema)["PredictedLabel"].GetKeyValues(ref keys);
        CollectionAssert.AreEqual(cases.LabelValues, keys.DenseValues().Select(v => v.ToString()).ToArray());
    }

    [TestMethod]
    public void PackWeightsCommittedForPyTorch_StillScoreAsTheirCases()
    {
        if (InterchangeFixtures.WriteFolder() is { } write)
        {
            Write(write);
        }

        Cases cases = Cases.Load(Path.Combine(Folder, "pack-han-cases.json"));
        var model = HierarchicalAttentionTransformer.FromWeights(Options, cases.Vocabulary, Path.Combine(Folder, "pack-han.safetensors"), binary: true);
        AssertScores(model, cases, "the committed pack weights");
        Dictionary<string, Tensors.Tensor> state = SafeTensors.Load(Path.Combine(Folder, "pack-han.safetensors"), out Dictionary<string, string> metadata);
        Assert.AreEqual(HierarchicalAttentionTransformer.WeightsArchitecture, metadata["architecture"]);
        Assert.AreEqual("gru", metadata["cell"]);
        CollectionAssert.IsSubsetOf(
            new[] { "embedding.weight", "word_encoder.weight_hh_l0_reverse", "word_attention.context", "sentence_encoder.bias_ih_l0", "sentence_attention.proj.weight", "head.bias" },
            state.Keys.ToArray());
    }

    [TestMethod]
    public void FromWeights_RefusesAnotherArchitectureOrLabelsThatDoNotFit_NamingWhat()
    {
        Cases cases = Cases.Load(Path.Combine(Folder, "torch-han-cases.json"));
        string path = Path.Combine(Folder, "torch-han.safetensors");
        HierarchicalAttentionOptions lstm = Options;
        lstm.Cell = RecurrentCell.Lstm;
        var e = Assert.ThrowsExactly<InvalidDataException>(() => HierarchicalAttentionTransformer.FromWeights(lstm, cases.Vocabulary, path));
        StringAssert.Contains(e.Message, "word_encoder.weight_ih_l0");
        StringAssert.Contains(e.Message, "torch-han.safetensors");
        e = Assert.ThrowsExactly<InvalidDataException>(() => HierarchicalAttentionTransformer.FromWeights(Options, cases.Vocabulary.Take(20).ToArray(), path));
        StringAssert.Contains(e.Message, "embedding.weight");
        var a = Assert.ThrowsExactly<ArgumentException>(() => HierarchicalAttentionTransformer.FromWeights(Options, cases.Vocabulary, path, binary: true));
        StringAssert.Contains(a.Message, "3 classes");
        a = Assert.ThrowsExactly<ArgumentException>(() => HierarchicalAttentionTransformer.FromWeights(Options, cases.Vocabulary, path, labelValues: ["a", "b"]));
        StringAssert.Contains(a.Message, "2 label values for the 3 classes");
        Assert.ThrowsExactly<FileNotFoundException>(() => HierarchicalAttentionTransformer.FromWeights(Options, cases.Vocabulary, Path.Combine(Folder, "missing.safetensors")));
    }

    private static void AssertScores(HierarchicalAttentionTransformer model, Cases cases, string what)
    {
        var ml = new MLContext(seed: 1);
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(cases.Texts.Select(t => new TextRow { Text = t })));
        string probabilityColumn = model.Binary ? "Probability" : "Score";
        float[][] probabilities = model.Binary
            ? [.. scored.GetColumn<float>("Probability").Select(p => new[] { 1 - p, p })]
            : [.. scored.GetColumn<float[]>("Score")];
        float[][] sentenceWeights = [.. scored.GetColumn<float[]>("SentenceWeights")], wordWeights = [.. scored.GetColumn<float[]>("WordWeights")];
        string[][] words = [.. scored.GetColumn<VBuffer<ReadOnlyMemory<char>>>("Words").Select(v => v.DenseValues().Select(x => x.ToString()).ToArray())];
        int[] sentences = [.. scored.GetColumn<VBuffer<ReadOnlyMemory<char>>>("Sentences").Select(v => v.Length)];
        for (int r = 0; r < cases.Texts.Length; r++)
        {
            CollectionAssert.AreEqual(cases.Documents[r].SelectMany(s => s).ToArray(), words[r], $"{what}: the words the pack reads in '{cases.Texts[r]}'");
            Assert.AreEqual(cases.Documents[r].Length, sentences[r], $"{what}: sentences in '{cases.Texts[r]}'");
            Support.Check.Close(cases.Probabilities[r], probabilities[r], $"{what}: {probabilityColumn} of '{cases.Texts[r]}'", rtol: 0f, atol: 1e-4f);
            Support.Check.Close(cases.SentenceWeights[r], sentenceWeights[r], $"{what}: sentence weights of '{cases.Texts[r]}'", rtol: 0f, atol: 1e-4f);
            Support.Check.Close(cases.WordWeights[r], wordWeights[r], $"{what}: word weights of '{cases.Texts[r]}'", rtol: 0f, atol: 1e-4f);
        }

        Assert.IsTrue(probabilities.Select(p => p[0]).Distinct().Count() > cases.Texts.Length / 2, $"{what}: the probabilities vary by document");
    }

    /// <summary>Trains the pack's binary HAN (seeded) on documents of the PyTorch cases' words and writes its weights and outputs.</summary>
    private static void Write(string folder)
    {
        Cases torch = Cases.Load(Path.Combine(Folder, "torch-han-cases.json"));
        var ml = new MLContext(seed: 1);
        var random = new Random(8);
        string Sentence() => string.Join(' ', Enumerable.Range(0, random.Next(1, 7)).Select(i => torch.Vocabulary[random.Next(2, torch.Vocabulary.Length)]).Select((w, i) => i == 0 ? char.ToUpperInvariant(w[0]) + w[1..] : w)) + ".";
        var rows = Enumerable.Range(0, 400).Select(_ =>
        {
            string text = string.Join(' ', Enumerable.Range(0, random.Next(1, 5)).Select(_ => Sentence()));
            return new LabeledRow { Text = text, Label = text.Contains("w5", StringComparison.OrdinalIgnoreCase) };
        }).ToList();
        var model = ml.BinaryClassification.Trainers.HierarchicalAttention(Options).Fit(ml.Data.LoadFromEnumerable(rows));
        model.SaveWeights(Path.Combine(folder, "pack-han.safetensors"));
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(torch.Texts.Select(t => new TextRow { Text = t })));
        var cases = new Cases
        {
            Vocabulary = [.. model.VocabularyWords], Texts = torch.Texts,
            Documents = [.. scored.GetColumn<VBuffer<ReadOnlyMemory<char>>>("Sentences").Select(v => v.DenseValues().Select(s => s.ToString().Split(' ')).ToArray())],
            Probabilities = [.. scored.GetColumn<float>("Probability").Select(p => new[] { 1 - p, p })],
            SentenceWeights = [.. scored.GetColumn<float[]>("SentenceWeights")], WordWeights = [.. scored.GetColumn<float[]>("WordWeights")],
        };
        InterchangeFixtures.Save(Path.Combine(folder, "pack-han-cases.json"), cases);
    }

    private sealed class Cases
    {
        public string[] Vocabulary { get; set; } = [];

        public string[]? LabelValues { get; set; }

        public string[] Texts { get; set; } = [];

        public string[][][] Documents { get; set; } = [];

        public float[][] Probabilities { get; set; } = [];

        public float[][] SentenceWeights { get; set; } = [];

        public float[][] WordWeights { get; set; } = [];

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
