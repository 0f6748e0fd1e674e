using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Support;

namespace Microsoft.ML.Attention.Tests.Models;

/// <summary>The hierarchical attention network: gradients, padding at both levels, and learning a decided-by-one-sentence task.</summary>
[TestClass]
public sealed class HierarchicalAttentionModelTests
{
    private static readonly HierarchicalAttentionOptions Tiny = new() { EmbeddingDimension = 4, HiddenSize = 3, AttentionDimension = 5, Dropout = 0f };

    private static readonly int[][][] Documents =
    [
        [[2, 3, 4], [5, 6], [7, 2, 3, 8]],
        [[9, 2]],
        [[3, 3, 3, 3, 3], [4]],
    ];

    [TestMethod]
    public void Vocabulary_KeepsWordsSeenOftenEnough_AndOptionsAreNamedWhenOutOfRange()
    {
        Vocabulary v = Vocabulary.Build([["a", "b", "a"], ["c", "a", "b"]], size: 10, minimumCount: 2);
        CollectionAssert.AreEqual(new[] { "<pad>", "<unk>", "a", "b" }, v.Words.ToArray());
        CollectionAssert.AreEqual(new[] { 2, 1 }, v.Encode(["a", "c"]));

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new HierarchicalAttentionModel(new HierarchicalAttentionOptions { WarmupFraction = 1f }, 10, 2, new Random(1)));
        StringAssert.Contains(e.Message, "HierarchicalAttentionOptions.WarmupFraction: WarmupFraction (1) must be in [0, 1)");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new HierarchicalAttentionModel(Tiny, 10, 1, new Random(1)));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => DocumentBatch.From([[[2], []]])).Message, "Document 0 of the batch");
    }

    [TestMethod]
    public void WordDropout_ReplacesWordsByUnknownAtItsRate_InTrainingOnly_AndKeepsPadding()
    {
        HierarchicalAttentionOptions options = Tiny.Clone();
        options.WordDropout = 0.25f;
        var model = new HierarchicalAttentionModel(options, 10, 2, new Random(3));
        int[] tokens = [.. Enumerable.Range(0, 40_000).Select(i => i % 4 == 3 ? Vocabulary.Padding : 2 + i % 7)];
        int[] dropped = model.DropWords(tokens);
        Assert.AreNotSame(tokens, dropped);
        int changed = 0;
        for (int i = 0; i < tokens.Length; i++)
        {
            if (tokens[i] == Vocabulary.Padding)
            {
                Assert.AreEqual(Vocabulary.Padding, dropped[i], $"padding at {i} is kept");
            }
            else if (dropped[i] != tokens[i])
            {
                Assert.AreEqual(Vocabulary.Unknown, dropped[i], $"a dropped word at {i} becomes the unknown marker");
                changed++;
            }
        }

        Assert.AreEqual(0.25, changed / 30_000.0, 0.01, "share of the words dropped");
        CollectionAssert.AreNotEqual(dropped, model.DropWords(tokens), "a fresh draw every step");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new HierarchicalAttentionModel(new HierarchicalAttentionOptions { WordDropout = 1f }, 10, 2, new Random(1)));
        model.Eval();
        Assert.AreSame(tokens, model.DropWords(tokens), "scoring never drops");
    }

    [TestMethod]
    public void GradientCheck_ThroughBothLevels()
    {
        var model = new HierarchicalAttentionModel(Tiny, 10, 3, new Random(1));
        DocumentBatch batch = DocumentBatch.From(Documents);
        GradCheck.Verify(_ => model.Forward(batch).Logits, [.. model.Parameters()], "HAN logits w.r.t. every parameter");
    }

    [TestMethod]
    public void Padding_GetsNoWeight_AndADocumentScoresTheSameAloneAndInABatch()
    {
        foreach (RecurrentCell cell in new[] { RecurrentCell.Gru, RecurrentCell.Lstm })
        {
            HierarchicalAttentionOptions options = Tiny.Clone();
            options.Cell = cell;
            var model = new HierarchicalAttentionModel(options, 10, 3, new Random(2));
            model.Eval();
            using (GradMode.NoGrad())
            {
                HierarchicalAttentionResult together = model.Forward(DocumentBatch.From(Documents));
                Assert.AreEqual(3, together.SentenceWeights.Size(1));
                Assert.AreEqual(5, together.WordWeights.Size(2));
                for (int d = 0; d < Documents.Length; d++)
                {
                    HierarchicalAttentionResult alone = model.Forward(DocumentBatch.From([Documents[d]]));
                    Check.Close(alone.Logits, together.Logits.Narrow(0, d, 1), $"{cell} document {d} alone vs padded in a batch", rtol: 1e-5f, atol: 1e-6f);
                    float[] sentences = together.SentenceWeights.Narrow(0, d, 1).ToArray();
                    Assert.AreEqual(1f, sentences.Sum(), 1e-5f);
                    Assert.IsTrue(sentences.Skip(Documents[d].Length).All(w => w == 0f), "padding sentences get no weight");
                    for (int s = 0; s < Documents[d].Length; s++)
                    {
                        float[] words = together.WordWeights.Narrow(0, d, 1).ToArray().Skip(s * 5).Take(5).ToArray();
                        Assert.AreEqual(1f, words.Sum(), 1e-5f);
                        Assert.IsTrue(words.Skip(Documents[d][s].Length).All(w => w == 0f), "padded words get no weight");
                    }
                }
            }
        }
    }

    [TestMethod]
    public void Trains_OnADecidingSentence_AndAttendsToIt()
    {
        var rows = KeySentenceTask.Generate(700, seed: 3);
        List<List<string[]>> split = [.. rows.Select(r => DocumentTokenizer.Split(r.Text))];
        Assert.IsTrue(split.Zip(rows).All(p => p.First.Count >= 4), "the tokenizer finds every generated sentence");
        Vocabulary vocabulary = Vocabulary.Build(split.Take(560).Select(d => d.SelectMany(s => s)), 1000, minimumCount: 2);
        int[][][] documents = [.. split.Select(d => d.Select(s => vocabulary.Encode(s)).ToArray())];
        // 20 epochs: the loss sits at ln 3 for a seed-dependent 2-5 epochs before it drops; with 12, seeds 4 and 5 of the
        // run generator ended at 0.74 and 0.86 held-out accuracy, with 20 seeds 4-6 all pass.
        var options = new HierarchicalAttentionOptions
        {
            EmbeddingDimension = 16, HiddenSize = 16, AttentionDimension = 16, Dropout = 0.1f, Epochs = 20, BatchSize = 32, LearningRate = 5e-3f,
            ValidationFraction = 0.15f, EarlyStoppingPatience = 3,
        };
        var reports = new List<EpochReport>();
        HierarchicalAttentionModel model = HierarchicalAttentionTrainer.Train(options, vocabulary.Count, 3,
            new DocumentDataset(documents[..560], [.. rows.Take(560).Select(r => r.Label)]), new Random(4), reports.Add);
        Assert.AreEqual(3, model.Classes);

        int correct = 0, attended = 0, withKey = 0;
        using (GradMode.NoGrad())
        {
            for (int start = 560; start < rows.Count; start += 35)
            {
                int[] batchRows = [.. Enumerable.Range(start, 35)];
                HierarchicalAttentionResult r = model.Forward(DocumentBatch.From([.. batchRows.Select(i => documents[i])]));
                for (int k = 0; k < batchRows.Length; k++)
                {
                    var (_, label, key) = rows[batchRows[k]];
                    float[] logits = r.Logits.Narrow(0, k, 1).ToArray(), weights = r.SentenceWeights.Narrow(0, k, 1).ToArray();
                    correct += Array.IndexOf(logits, logits.Max()) == label ? 1 : 0;
                    if (key >= 0)
                    {
                        withKey++;
                        attended += Array.IndexOf(weights, weights.Max()) == key ? 1 : 0;
                    }
                }
            }
        }

        string history = string.Join(", ", reports.Select(e => $"{e.Epoch}: {e.TrainLoss:F3}/{e.ValidationLoss:F3}"));
        Console.WriteLine($"accuracy {correct}/140, attended {attended}/{withKey}, epochs {history}");
        Assert.IsGreaterThan(0.95, correct / 140.0, $"held-out accuracy {correct}/140 (epochs {history})");
        Assert.IsGreaterThan(0.85, attended / (double)withKey, $"largest sentence weight on the deciding sentence in {attended}/{withKey} documents");
    }
}
