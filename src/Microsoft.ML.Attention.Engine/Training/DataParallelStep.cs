using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// The forward and backward of one training step, with the batch's rows split into pieces that run at once, each on a
/// thread of its own with every kernel of the piece on that thread (<see cref="EngineThreads.ForEachPiece"/>): for
/// models whose kernels are too short to gain from being spread over the cores one by one (recurrent encoders and
/// decoders, step by step, at batches of 64–256). Each piece's parameter gradients are gathered apart and then added to
/// the parameters' <see cref="Tensor.Grad"/> in piece order, each weighted by its piece's share of the batch, so the sum
/// is the whole batch's gradient. Draws a piece makes from the run's generator come from a generator of its own, seeded
/// from the run's in piece order. How a batch is cut depends on its size alone (<see cref="PiecesFor"/>), not on the
/// machine's cores: the same seed trains the same model on any machine.
/// </summary>
public sealed class DataParallelStep
{
    /// <summary>Rows below which a piece is not worth its own thread: a batch is cut only into pieces of at least this many.</summary>
    public const int MinimumRowsPerPiece = 32;

    /// <summary>The most pieces a batch is cut into.</summary>
    public const int MaximumPieces = 4;

    private readonly IReadOnlyList<Tensor> _parameters;
    private readonly HashSet<Tensor> _known;
    private readonly StatefulRandom _random;
    private readonly List<LeafGradients> _gathered = [];

    /// <summary>Creates the step for a model's parameters and the run's generator.</summary>
    /// <param name="parameters">The parameters whose gradients the step adds to (every leaf the loss depends on should be one).</param>
    /// <param name="random">The run's generator: every draw the model makes during a forward must come from it (dropout masks, word dropout).</param>
    public DataParallelStep(IReadOnlyList<Tensor> parameters, StatefulRandom random)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(random);
        _parameters = parameters;
        _known = new HashSet<Tensor>(parameters, ReferenceEqualityComparer.Instance);
        _random = random;
    }

    /// <summary>How many pieces a batch of <paramref name="rows"/> rows is cut into: one per <see cref="MinimumRowsPerPiece"/> rows, at most <see cref="MaximumPieces"/>.</summary>
    public static int PiecesFor(int rows) => Math.Clamp(rows / MinimumRowsPerPiece, 1, MaximumPieces);

    /// <summary>
    /// Runs <paramref name="loss"/> and its backward over <paramref name="rows"/>, cut into <see cref="PiecesFor"/>
    /// contiguous pieces (a batch of one piece runs as is, on the calling thread), and adds the batch's gradient to the
    /// parameters' gradients. <paramref name="loss"/> must return the mean loss over its rows and what that mean is over
    /// (rows, or tokens); the pieces' gradients and losses are weighted by it. It runs on the pieces' threads at once, so
    /// it must not change shared state other than through the run's generator.
    /// </summary>
    /// <returns>The whole batch's mean loss and its weight (the sum of the pieces').</returns>
    /// <exception cref="ArgumentException">No rows.</exception>
    public (double Loss, long Weight) Run(int[] rows, Func<int[], (Tensor Value, int Weight)> loss)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(loss);
        if (rows.Length == 0)
        {
            throw new ArgumentException("A training step needs at least one row.", nameof(rows));
        }

        int pieces = PiecesFor(rows.Length);
        if (pieces == 1)
        {
            (Tensor value, int w) = loss(rows);
            value.Backward();
            return (value.Item(), w);
        }

        while (_gathered.Count < pieces)
        {
            _gathered.Add(new LeafGradients());
        }

        // The pieces' generators are seeded here, in piece order, before any piece runs.
        var generators = new StatefulRandom[pieces];
        for (int p = 0; p < pieces; p++)
        {
            generators[p] = new StatefulRandom(_random.NextInt64());
        }

        var values = new double[pieces];
        var weights = new int[pieces];
        EngineThreads.ForEachPiece(pieces, p =>
        {
            int start = (int)((long)rows.Length * p / pieces), end = (int)((long)rows.Length * (p + 1) / pieces);
            LeafGradients gathered = _gathered[p];
            gathered.Clear();
            using TensorScope scope = TensorScope.Begin();
            using IDisposable divert = _random.DivertOnThisThread(generators[p]);
            using IDisposable gather = Backpropagation.GatherLeafGradients(gathered);
            (Tensor value, int w) = loss(rows[start..end]);
            value.Backward();
            values[p] = value.Item();
            weights[p] = w;
        });

        long total = 0;
        foreach (int w in weights)
        {
            total += w;
        }

        CheckEveryLeafIsAParameter(pieces);
        var shares = new double[pieces];
        double mean = 0;
        for (int p = 0; p < pieces; p++)
        {
            shares[p] = (double)weights[p] / Math.Max(1, total);
            mean += values[p] * shares[p];
        }

        // Every element on its own, in piece order: a large parameter (an embedding table) spread over the cores by ranges.
        var gathered = new Tensor?[pieces];
        foreach (Tensor parameter in _parameters)
        {
            bool any = false;
            for (int p = 0; p < pieces; p++)
            {
                gathered[p] = _gathered[p].TryGet(parameter, out Tensor g) ? g : null;
                any |= gathered[p] is not null;
            }

            if (!any)
            {
                continue;
            }

            Tensor grad = parameter.Grad ??= Tensor.ZerosUnscoped(parameter.Dims);
            CpuParallel.ForRanges(grad.Length, (start, count) =>
            {
                Span<float> into = grad.AsSpan().Slice(start, count);
                for (int p = 0; p < pieces; p++)
                {
                    if (gathered[p] is Tensor g)
                    {
                        TensorPrimitives.MultiplyAdd(g.AsSpan().Slice(start, count), (float)shares[p], into, into);
                    }
                }
            }, granule: 1024);
        }

        return (mean, total);
    }

    private void CheckEveryLeafIsAParameter(int pieces)
    {
        for (int p = 0; p < pieces; p++)
        {
            foreach (Tensor leaf in _gathered[p].Leaves)
            {
                if (!_known.Contains(leaf))
                {
                    throw new InvalidOperationException($"A tensor of shape {ShapeMath.Format(leaf.Dims)} that requires grad is not among the step's {_parameters.Count} parameters: its gradient would be lost.");
                }
            }
        }
    }
}
