using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Support;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.Tests;

/// <summary>
/// A training step cut into pieces that run at once gives the whole batch's gradient and loss, draws its dropout masks
/// from generators seeded from the run's, and repeats bit for bit.
/// </summary>
[TestClass]
public sealed class DataParallelStepTests
{
    private static int[][] Texts(Random random, int count, int vocabulary, int shortest, int longest) =>
        [.. Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, random.Next(shortest, longest + 1)).Select(_ => random.Next(Vocabulary.Unknown + 1, vocabulary)).ToArray())];

    private static (Module Model, Func<int[], (Tensor, int)> Loss) SequenceToSequence(int rows, float dropout, StatefulRandom random)
    {
        var data = new Random(5);
        int[][] sources = Texts(data, rows, 30, 3, 12), targets = Texts(data, rows, 20, 2, 9);
        var options = new SequenceToSequenceOptions { EmbeddingDimension = 8, HiddenSize = 8, AttentionDimension = 8, Dropout = dropout };
        var model = new SequenceToSequenceModel(options, 30, 20, random);
        var loss = new CrossEntropyLoss(ignoreIndex: SequencePairBatch.Ignored);
        return (model, part =>
        {
            SequencePairBatch batch = SequencePairBatch.From([.. part.Select(r => sources[r])], [.. part.Select(r => targets[r])]);
            Tensor logits = model.Forward(batch).Logits;
            return (loss.Forward(logits.Reshape(part.Length * batch.TargetSteps, 20), batch.TargetOutput), batch.TargetLengths.Sum());
        });
    }

    private static (Module Model, Func<int[], (Tensor, int)> Loss) CoAttentionPairs(int rows, float dropout, StatefulRandom random)
    {
        var data = new Random(6);
        int[][] first = Texts(data, rows, 25, 2, 10), second = Texts(data, rows, 25, 2, 10);
        float[] labels = [.. Enumerable.Range(0, rows).Select(_ => (float)data.Next(2))];
        var model = new CoAttentionPairModel(new CoAttentionOptions { EmbeddingDimension = 8, HiddenSize = 8, AttentionDimension = 8, Dropout = dropout }, 25, random);
        var loss = new BceWithLogitsLoss();
        return (model, part =>
        {
            model.Forward(SourceBatch.From([.. part.Select(r => first[r])]), SourceBatch.From([.. part.Select(r => second[r])]), out Tensor logits);
            return (loss.Forward(logits, Tensor.FromArray([.. part.Select(r => labels[r])], part.Length)), part.Length);
        });
    }

    private static (Module Model, Func<int[], (Tensor, int)> Loss) Hierarchical(int rows, float dropout, StatefulRandom random)
    {
        var data = new Random(7);
        int[][][] documents = [.. Enumerable.Range(0, rows).Select(_ => Texts(data, data.Next(1, 6), 40, 1, 9))];
        int[] labels = [.. Enumerable.Range(0, rows).Select(_ => data.Next(3))];
        var options = new HierarchicalAttentionOptions { EmbeddingDimension = 8, HiddenSize = 6, AttentionDimension = 8, Dropout = dropout, WordDropout = dropout };
        var model = new HierarchicalAttentionModel(options, 40, 3, random);
        var loss = new CrossEntropyLoss();
        return (model, part => (loss.Forward(model.Forward(DocumentBatch.From([.. part.Select(r => documents[r])])).Logits, [.. part.Select(r => labels[r])]), part.Length));
    }

    private static (Module Model, Func<int[], (Tensor, int)> Loss) Build(string kind, int rows, float dropout, StatefulRandom random) => kind switch
    {
        "seq2seq" => SequenceToSequence(rows, dropout, random),
        "co-attention" => CoAttentionPairs(rows, dropout, random),
        _ => Hierarchical(rows, dropout, random),
    };

    private static (double Loss, long Weight, float[][] Grads) Step(Module model, Func<int[], (Tensor, int)> loss, int[] rows, StatefulRandom? random)
    {
        // As a trainer's ZeroGrad leaves them: zeroed buffers once a first step made them, so an op that adds into the
        // gradient already there (GradientTargets.Existing) meets one, and must find the piece's own.
        foreach (Tensor p in model.Parameters())
        {
            p.Grad?.AsSpan().Clear();
        }

        using TensorScope scope = TensorScope.Begin();
        double value;
        long weight;
        if (random is null)
        {
            (Tensor v, int w) = loss(rows);
            v.Backward();
            (value, weight) = (v.Item(), w);
        }
        else
        {
            (value, weight) = new DataParallelStep([.. model.Parameters()], random).Run(rows, loss);
        }

        return (value, weight, [.. model.Parameters().Select(p => p.Grad?.ToArray() ?? new float[p.Length])]);
    }

    [TestMethod]
    [DataRow("seq2seq", 96)]
    [DataRow("seq2seq", 150)]
    [DataRow("co-attention", 64)]
    [DataRow("co-attention", 200)]
    [DataRow("han", 64)]
    [DataRow("han", 130)]
    public void Pieces_GiveTheWholeBatchsGradientAndLoss_AndRepeat(string kind, int rows)
    {
        var random = new StatefulRandom(3);
        (Module model, Func<int[], (Tensor, int)> loss) = Build(kind, rows, 0f, random);
        model.Train();
        int[] order = [.. Enumerable.Range(0, rows).Reverse()];
        (double wholeLoss, long wholeWeight, float[][] whole) = Step(model, loss, order, random: null);
        (double pieceLoss, long pieceWeight, float[][] pieces) = Step(model, loss, order, random);
        (_, _, float[][] again) = Step(model, loss, order, random);
        Assert.IsGreaterThan(1, DataParallelStep.PiecesFor(rows), $"{rows} rows are cut");
        Assert.AreEqual(wholeWeight, pieceWeight, $"{kind}: the weight is the pieces' sum");
        Assert.AreEqual(wholeLoss, pieceLoss, 1e-5 * Math.Abs(wholeLoss), $"{kind}: the mean loss");
        string[] names = [.. model.NamedParameters().Select(p => p.Key)];
        for (int i = 0; i < whole.Length; i++)
        {
            Assert.IsTrue(whole[i].Any(g => g != 0f), $"{kind}: {names[i]} has a gradient");
            Check.Close(whole[i], pieces[i], $"{kind}: gradient of {names[i]} over {DataParallelStep.PiecesFor(rows)} pieces", rtol: 2e-4f, atol: 1e-6f);
            CollectionAssert.AreEqual(pieces[i], again[i], $"{kind}: {names[i]} repeats bit for bit");
        }
    }

    [TestMethod]
    [DataRow("seq2seq")]
    [DataRow("han")] // dropout and word dropout
    public void PiecesDrawFromGeneratorsSeededFromTheRunsOne_InPieceOrder(string kind)
    {
        const int rows = 128;
        var random = new StatefulRandom(4);
        (Module model, Func<int[], (Tensor, int)> loss) = Build(kind, rows, 0.3f, random);
        model.Train();
        int[] order = [.. Enumerable.Range(0, rows)];
        ulong[] before = random.State;
        (_, _, float[][] first) = Step(model, loss, order, random);

        // The run's generator moved by one draw per piece, and nothing else.
        var expected = new StatefulRandom(0);
        expected.Restore(before);
        for (int p = 0; p < DataParallelStep.PiecesFor(rows); p++)
        {
            expected.NextInt64();
        }

        CollectionAssert.AreEqual(expected.State, random.State, "the run's generator after the step");

        // From the same state, the same masks: the same gradients, bit for bit.
        random.Restore(before);
        (_, _, float[][] second) = Step(model, loss, order, random);
        for (int i = 0; i < first.Length; i++)
        {
            CollectionAssert.AreEqual(first[i], second[i], $"parameter {i} from the same generator state");
        }

        // Dropout did draw: the gradients differ from evaluation mode's (no masks).
        model.Eval();
        (_, _, float[][] eval) = Step(model, loss, order, random: null);
        Assert.IsTrue(first.Zip(eval).Any(p => !p.First.SequenceEqual(p.Second)), "training-mode pieces drew dropout masks");
    }

    [TestMethod]
    public void PiecesFor_CutsOnePiecePer32Rows_AtMostFour_AndALeafOutsideTheParametersIsRefused()
    {
        Assert.AreEqual(1, DataParallelStep.PiecesFor(1));
        Assert.AreEqual(1, DataParallelStep.PiecesFor(63));
        Assert.AreEqual(2, DataParallelStep.PiecesFor(64));
        Assert.AreEqual(3, DataParallelStep.PiecesFor(96));
        Assert.AreEqual(4, DataParallelStep.PiecesFor(256));
        Assert.AreEqual(4, DataParallelStep.PiecesFor(10_000));

        var w = Tensor.Randn(new Random(1), 1f, 3);
        w.RequiresGrad = true;
        var stray = Tensor.Randn(new Random(2), 1f, 3);
        stray.RequiresGrad = true;
        var step = new DataParallelStep([w], new StatefulRandom(1));
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => step.Run([.. Enumerable.Range(0, 64)], part => (w.Mul(stray).Sum(), part.Length)));
        StringAssert.Contains(error.Message, "not among the step's 1 parameters");
        Assert.ThrowsExactly<ArgumentException>(() => step.Run([], part => (w.Sum(), 1)));
    }
}
