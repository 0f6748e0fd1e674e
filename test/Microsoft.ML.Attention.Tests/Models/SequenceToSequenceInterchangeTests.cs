using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Serialization;
using Microsoft.ML.Attention.Tests.Sequences;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Models;

/// <summary>
/// Whole-model weight interchange with PyTorch for the sequence-to-sequence model (build/pytorch/sequence_to_sequence.py
/// holds it as an nn.Module: BiGRU encoder over packed sequences, bridge, additive attention from the previous state,
/// GRU decoder, attentional layer): weights trained in PyTorch load into the pack's transformer, which then gives
/// PyTorch's teacher-forced probabilities and greedy outputs with their alignments; the pack's SaveWeights file is one
/// PyTorch's load_state_dict(strict=True) takes (the script's check-pack). build/pytorch-fixtures.sh regenerates both.
/// </summary>
[TestClass]
public sealed class SequenceToSequenceInterchangeTests
{
    private static string Folder => InterchangeFixtures.Folder;

    private static SequenceToSequenceOptions Options(int maximumTargetLength) => new()
    {
        SourceColumnName = "Source", TargetColumnName = "Target", Unit = TextUnit.Word, EmbeddingDimension = 12, HiddenSize = 16, AttentionDimension = 16,
        MaximumTargetLength = maximumTargetLength, AlignmentColumnName = "Alignment", Epochs = 30, MinimumTokenCount = 1, Seed = 4, Dropout = 0f, LearningRate = 1e-2f,
    };

    [TestMethod]
    public void WeightsTrainedInPyTorch_LoadIntoTheTransformer_AndDecodeAsPyTorch()
    {
        Cases cases = Cases.Load(Path.Combine(Folder, "torch-seq2seq-cases.json"));
        var model = SequenceToSequenceTransformer.FromWeights(Options(cases.MaximumTargetLength), cases.SourceVocabulary, cases.TargetVocabulary, Path.Combine(Folder, "torch-seq2seq.safetensors"));
        AssertOutputs(model, cases, "PyTorch's weights in the pack");
        Assert.IsGreaterThan(cases.Sources.Length / 2, cases.Greedy.Zip(cases.Targets).Count(p => p.First == p.Second), "PyTorch's model reverses most sources (the comparison shows a trained model)");
    }

    [TestMethod]
    public void PackWeightsCommittedForPyTorch_StillDecodeAsTheirCases()
    {
        if (InterchangeFixtures.WriteFolder() is { } write)
        {
            Write(write);
        }

        Cases cases = Cases.Load(Path.Combine(Folder, "pack-seq2seq-cases.json"));
        var model = SequenceToSequenceTransformer.FromWeights(Options(cases.MaximumTargetLength), cases.SourceVocabulary, cases.TargetVocabulary, Path.Combine(Folder, "pack-seq2seq.safetensors"));
        AssertOutputs(model, cases, "the committed pack weights");
        Dictionary<string, Tensors.Tensor> state = SafeTensors.Load(Path.Combine(Folder, "pack-seq2seq.safetensors"), out Dictionary<string, string> metadata);
        Assert.AreEqual(SequenceToSequenceTransformer.WeightsArchitecture, metadata["architecture"]);
        Assert.AreEqual("additive", metadata["attention"]);
        CollectionAssert.IsSubsetOf(
            new[] { "source_embedding.weight", "encoder.weight_hh_l0_reverse", "bridge.bias", "decoder.weight_ih_l0", "attention.key_proj.bias", "attention.v.weight", "combine.weight", "output.bias" },
            state.Keys.ToArray());
    }

    [TestMethod]
    public void FromWeights_RefusesAnotherArchitectureOrVocabulary_NamingWhat()
    {
        Cases cases = Cases.Load(Path.Combine(Folder, "torch-seq2seq-cases.json"));
        string path = Path.Combine(Folder, "torch-seq2seq.safetensors");
        SequenceToSequenceOptions dot = Options(8);
        dot.Attention = DecoderAttentionKind.Dot;
        var e = Assert.ThrowsExactly<InvalidDataException>(() => SequenceToSequenceTransformer.FromWeights(dot, cases.SourceVocabulary, cases.TargetVocabulary, path));
        StringAssert.Contains(e.Message, "attention.");
        StringAssert.Contains(e.Message, "torch-seq2seq.safetensors");
        e = Assert.ThrowsExactly<InvalidDataException>(() => SequenceToSequenceTransformer.FromWeights(Options(8), cases.SourceVocabulary, [.. cases.TargetVocabulary, "extra"], path));
        StringAssert.Contains(e.Message, "target_embedding.weight");
        var a = Assert.ThrowsExactly<ArgumentException>(() => SequenceToSequenceTransformer.FromWeights(Options(8), ["<pad>", "<unk>", "a", "b", "c"], cases.TargetVocabulary, path));
        StringAssert.Contains(a.Message, "source vocabulary");
        Assert.ThrowsExactly<FileNotFoundException>(() => SequenceToSequenceTransformer.FromWeights(Options(8), cases.SourceVocabulary, cases.TargetVocabulary, Path.Combine(Folder, "missing.safetensors")));
    }

    private static void AssertOutputs(SequenceToSequenceTransformer model, Cases cases, string what)
    {
        var ml = new MLContext(seed: 1);
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(cases.Sources.Select(s => new SequenceToSequencePipelineTests.Pair { Source = s })));
        string[] predictions = [.. scored.GetColumn<string>("Prediction")];
        float[][] alignments = [.. scored.GetColumn<float[]>("Alignment")];
        for (int r = 0; r < cases.Sources.Length; r++)
        {
            Assert.AreEqual(cases.Greedy[r], predictions[r], $"{what}: greedy output for '{cases.Sources[r]}'");
            Support.Check.Close(cases.Alignments[r], alignments[r], $"{what}: alignment for '{cases.Sources[r]}'", rtol: 0f, atol: 1e-4f);
            int[] source = model.SourceTokenIds(cases.Sources[r]), target = model.TargetVocabulary.Encode(cases.Targets[r].Split(' '));
            float[] probabilities;
            using (GradMode.NoGrad())
            {
                probabilities = model.Model.Forward(SequencePairBatch.From([source], [target])).Logits.Softmax(-1).ToArray();
            }

            Support.Check.Close(cases.Probabilities[r], probabilities, $"{what}: teacher-forced probabilities for '{cases.Sources[r]}' → '{cases.Targets[r]}'", rtol: 0f, atol: 1e-4f);
        }
    }

    /// <summary>Trains the pack's model (seeded) on word-reversal pairs and writes its weights and its outputs on the PyTorch cases.</summary>
    private static void Write(string folder)
    {
        Cases torch = Cases.Load(Path.Combine(Folder, "torch-seq2seq-cases.json"));
        var ml = new MLContext(seed: 1);
        var pairs = SequenceToSequencePipelineTests.Phrases(600, seed: 6);
        SequenceToSequenceTransformer model = ml.Transforms.SequenceToSequence(Options(torch.MaximumTargetLength))
            .Fit(ml.Data.LoadFromEnumerable(pairs.Select(p => new SequenceToSequencePipelineTests.Pair { Source = p.Source, Target = p.Target })));
        model.SaveWeights(Path.Combine(folder, "pack-seq2seq.safetensors"));
        string[] sources = [.. pairs.Take(16).Select(p => p.Source)], targets = [.. pairs.Take(16).Select(p => p.Target)];
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(sources.Select(s => new SequenceToSequencePipelineTests.Pair { Source = s })));
        var cases = new Cases
        {
            SourceVocabulary = [.. model.SourceVocabulary.Words], TargetVocabulary = [.. model.TargetVocabulary.Words], MaximumTargetLength = torch.MaximumTargetLength,
            Sources = sources, Targets = targets, Greedy = [.. scored.GetColumn<string>("Prediction")], Alignments = [.. scored.GetColumn<float[]>("Alignment")],
            Probabilities = [.. sources.Zip(targets).Select(p =>
            {
                using (GradMode.NoGrad())
                {
                    return model.Model.Forward(SequencePairBatch.From([model.SourceTokenIds(p.First)], [model.TargetVocabulary.Encode(p.Second.Split(' '))])).Logits.Softmax(-1).ToArray();
                }
            })],
        };
        InterchangeFixtures.Save(Path.Combine(folder, "pack-seq2seq-cases.json"), cases);
    }

    private sealed class Cases
    {
        public string[] SourceVocabulary { get; set; } = [];

        public string[] TargetVocabulary { get; set; } = [];

        public int MaximumTargetLength { get; set; }

        public string[] Sources { get; set; } = [];

        public string[] Targets { get; set; } = [];

        public float[][] Probabilities { get; set; } = [];

        public string[] Greedy { get; set; } = [];

        public float[][] Alignments { get; set; } = [];

        public static Cases Load(string path) => InterchangeFixtures.Load<Cases>(path);
    }
}
