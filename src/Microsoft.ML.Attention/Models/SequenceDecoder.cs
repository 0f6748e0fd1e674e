using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Decodes batches of sources with a <see cref="SequenceToSequenceModel"/>, without a tape: greedy (the most likely token
/// at every step) or beam search (fairseq's: 2·K candidates per source and step, an end marker among the first K
/// finishes a hypothesis, a source is done with K finished; ranked by log-probability / length^α). Width 1 is greedy.
/// A batch of at least <see cref="RowsPerCore"/> sources per core is split into one part per core, each decoded on one
/// thread from start to end: a decoding step is many kernels of a few microseconds, which cost more to spread over
/// the cores one by one than they gain.
/// </summary>
public static class SequenceDecoder
{
    /// <summary>Fewest sources a core decodes on its own when a batch is split across the cores.</summary>
    public const int RowsPerCore = 32;

    /// <summary>Greedy decoding of every source of <paramref name="batch"/>, at most <paramref name="maximumLength"/> tokens each.</summary>
    public static DecodedSequence[] Greedy(SequenceToSequenceModel model, SourceBatch batch, int maximumLength)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maximumLength);
        return InParts(batch, part => GreedyPart(model, part, maximumLength));
    }

    /// <summary>
    /// Decodes the sources in one part per core (contiguous rows, at least <see cref="RowsPerCore"/> each), every part on
    /// one thread, or whole when the batch is too small to split or the caller's kernels already run on one thread.
    /// </summary>
    private static DecodedSequence[] InParts(SourceBatch batch, Func<SourceBatch, DecodedSequence[]> decode)
    {
        int parts = Math.Min(EngineThreads.Available, batch.Batch / RowsPerCore);
        if (parts < 2)
        {
            return decode(batch);
        }

        var decoded = new DecodedSequence[parts][];
        EngineThreads.ForEachPiece(parts, p =>
        {
            int start = (int)((long)batch.Batch * p / parts), end = (int)((long)batch.Batch * (p + 1) / parts);
            decoded[p] = decode(batch.Rows(start, end - start));
        });
        return [.. decoded.SelectMany(d => d)];
    }

    private static DecodedSequence[] GreedyPart(SequenceToSequenceModel model, SourceBatch batch, int maximumLength)
    {
        using TensorScope scope = TensorScope.Begin();
        using IDisposable noGrad = GradMode.NoGrad();
        EncodedSource source = model.Encode(batch);
        DecoderState state = model.InitialState(source);
        int b = batch.Batch, v = model.TargetVocabularySize;
        var tokens = new List<int>[b];
        var alignment = new List<float[]>[b];
        var score = new float[b];
        var results = new DecodedSequence[b];
        int[] alive = [.. Enumerable.Range(0, b)];
        int[] previous = new int[b];
        float[] scratch = new float[v];
        Array.Fill(previous, SequenceToSequenceModel.Start);
        for (int i = 0; i < b; i++)
        {
            tokens[i] = [];
            alignment[i] = [];
        }

        for (int step = 0; step < maximumLength && alive.Length > 0; step++)
        {
            var keep = new List<int>(alive.Length);
            DecoderState carried;
            using (TensorScope.Begin())
            {
                // The step's tensors go back to the pool when it ends (its buffers stay warm in cache for the next step);
                // only the state it hands on is copied out.
                DecoderStep next = model.Step(source, previous, state);
                ReadOnlySpan<float> logits = next.Logits.AsSpan(), weights = next.Weights.AsSpan();
                int s = next.Weights.Size(1);
                for (int r = 0; r < alive.Length; r++)
                {
                    int i = alive[r];
                    ReadOnlySpan<float> row = logits.Slice(r * v, v);
                    int best = ArgMax(row);
                    score[i] += row[best] - LogSumExp(row, scratch);
                    if (best == SequenceToSequenceModel.End)
                    {
                        results[i] = new DecodedSequence([.. tokens[i]], [.. alignment[i]], score[i]);
                        continue;
                    }

                    tokens[i].Add(best);
                    alignment[i].Add(weights.Slice(r * s, batch.Lengths[i]).ToArray());
                    previous[keep.Count] = best;
                    keep.Add(r);
                }

                carried = Outlive(next.State);
            }

            if (keep.Count < alive.Length && keep.Count > 0)
            {
                int[] rows = [.. keep];
                source = source.Select(rows);
                state = carried.Select(rows);
            }
            else
            {
                state = carried;
            }

            alive = [.. keep.Select(r => alive[r])];
            previous = previous[..alive.Length];
        }

        foreach (int i in alive)
        {
            results[i] = new DecodedSequence([.. tokens[i]], [.. alignment[i]], score[i]);
        }

        return results;
    }

    /// <summary>Beam search of width <paramref name="width"/> over every source of <paramref name="batch"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="batch">The sources.</param>
    /// <param name="width">Hypotheses kept per source (1 = greedy).</param>
    /// <param name="lengthPenalty">α: finished hypotheses are ranked by log-probability / (tokens + 1)^α.</param>
    /// <param name="maximumLength">Most output tokens.</param>
    public static DecodedSequence[] Beam(SequenceToSequenceModel model, SourceBatch batch, int width, float lengthPenalty, int maximumLength)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maximumLength);
        if (lengthPenalty < 0 || !float.IsFinite(lengthPenalty))
        {
            throw new ArgumentOutOfRangeException(nameof(lengthPenalty), $"The length penalty ({lengthPenalty}) must be non-negative and finite.");
        }

        return InParts(batch, part => BeamPart(model, part, width, lengthPenalty, maximumLength));
    }

    private static DecodedSequence[] BeamPart(SequenceToSequenceModel model, SourceBatch batch, int width, float lengthPenalty, int maximumLength)
    {
        using TensorScope scope = TensorScope.Begin();
        using IDisposable noGrad = GradMode.NoGrad();
        int b = batch.Batch, k = width, v = model.TargetVocabularySize;
        int[] repeat = [.. Enumerable.Range(0, b * k).Select(r => r / k)];
        EncodedSource source = model.Encode(batch).Select(repeat);
        DecoderState state = model.InitialState(source);

        // Alive hypotheses, row b·K + j; at first only beam 0 of every source is live.
        var hypotheses = new Hypothesis[b * k];
        for (int r = 0; r < hypotheses.Length; r++)
        {
            hypotheses[r] = new Hypothesis([], [], r % k == 0 ? 0f : float.NegativeInfinity);
        }

        var finished = new List<(Hypothesis Hypothesis, float Rank)>[b];
        var done = new bool[b];
        for (int i = 0; i < b; i++)
        {
            finished[i] = [];
        }

        int[] previous = new int[b * k];
        Array.Fill(previous, SequenceToSequenceModel.Start);
        float Rank(float logProbability, int length) => logProbability / MathF.Pow(length, lengthPenalty);
        for (int step = 0; step < maximumLength && done.Contains(false); step++)
        {
            using TensorScope stepScope = TensorScope.Begin();
            DecoderStep next = model.Step(source, previous, state);
            Tensor logProbabilities = next.Logits.LogSoftmax(-1);
            ReadOnlySpan<float> lp = logProbabilities.AsSpan(), weights = next.Weights.AsSpan();
            int s = next.Weights.Size(1);
            int[] parents = new int[b * k];
            var chosen = new Hypothesis[b * k];
            for (int i = 0; i < b; i++)
            {
                if (done[i])
                {
                    for (int j = 0; j < k; j++)
                    {
                        parents[i * k + j] = i * k;
                        chosen[i * k + j] = hypotheses[i * k];
                        previous[i * k + j] = SequenceToSequenceModel.End;
                    }

                    continue;
                }

                (int Row, int Token, float Score)[] candidates = TopCandidates(lp, hypotheses, i * k, k, v, 2 * k);
                int kept = 0;
                for (int c = 0; c < candidates.Length && kept < k; c++)
                {
                    (int row, int token, float total) = candidates[c];
                    if (float.IsNegativeInfinity(total))
                    {
                        break;
                    }

                    Hypothesis parent = hypotheses[row];
                    float[] attention = weights.Slice(row * s, batch.Lengths[i]).ToArray();
                    if (token == SequenceToSequenceModel.End)
                    {
                        if (c < k && finished[i].Count < k)
                        {
                            finished[i].Add((new Hypothesis(parent.Tokens, parent.Alignment, total), Rank(total, parent.Tokens.Length + 1)));
                        }

                        continue;
                    }

                    chosen[i * k + kept] = new Hypothesis([.. parent.Tokens, token], [.. parent.Alignment, attention], total);
                    parents[i * k + kept] = row;
                    previous[i * k + kept] = token;
                    kept++;
                }

                for (; kept < k; kept++)
                {
                    // Fewer live candidates than beams (tiny vocabularies): the spare rows stay dead.
                    chosen[i * k + kept] = new Hypothesis([], [], float.NegativeInfinity);
                    parents[i * k + kept] = i * k;
                    previous[i * k + kept] = SequenceToSequenceModel.End;
                }

                done[i] = finished[i].Count >= k;
            }

            hypotheses = chosen;
            state = Outlive(next.State.Select(parents));
            stepScope.Dispose(); // the source's rows are chosen in the decoder's scope: they outlive the step
            source = source.Select(parents);
        }

        var results = new DecodedSequence[b];
        for (int i = 0; i < b; i++)
        {
            if (!done[i])
            {
                // Reached the length limit: the live hypotheses compete unfinished.
                for (int j = 0; j < k; j++)
                {
                    Hypothesis h = hypotheses[i * k + j];
                    if (!float.IsNegativeInfinity(h.Score))
                    {
                        finished[i].Add((h, Rank(h.Score, h.Tokens.Length + 1)));
                    }
                }
            }

            Hypothesis best = finished[i].OrderByDescending(f => f.Rank).First().Hypothesis;
            results[i] = new DecodedSequence(best.Tokens, best.Alignment, best.Score);
        }

        return results;
    }

    /// <summary>The <paramref name="count"/> best (row, token, total log-probability) over the K beams of one source, best first.</summary>
    private static (int Row, int Token, float Score)[] TopCandidates(ReadOnlySpan<float> lp, Hypothesis[] hypotheses, int first, int k, int v, int count)
    {
        var top = new List<(int Row, int Token, float Score)>(count + 1);
        for (int row = first; row < first + k; row++)
        {
            float baseScore = hypotheses[row].Score;
            if (float.IsNegativeInfinity(baseScore))
            {
                continue;
            }

            ReadOnlySpan<float> r = lp.Slice(row * v, v);
            for (int t = 0; t < v; t++)
            {
                float total = baseScore + r[t];
                if (top.Count == count && total <= top[^1].Score)
                {
                    continue;
                }

                // Insertion keeps the list sorted, best first; ties keep the earlier (row, token), as a stable sort would.
                int at = top.Count;
                while (at > 0 && top[at - 1].Score < total)
                {
                    at--;
                }

                top.Insert(at, (row, t, total));
                if (top.Count > count)
                {
                    top.RemoveAt(top.Count - 1);
                }
            }
        }

        return [.. top];
    }

    /// <summary>Copies of the state's tensors in the scope around the current one (the step's scope gives back the rest).</summary>
    private static DecoderState Outlive(DecoderState state) =>
        new(Outlive(state.Hidden), state.Cell is null ? null : Outlive(state.Cell), state.Feed is null ? null : Outlive(state.Feed));

    private static Tensor Outlive(Tensor tensor) => tensor.Clone().MoveToOuterScope();

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int t = 1; t < row.Length; t++)
        {
            if (row[t] > row[best])
            {
                best = t;
            }
        }

        return best;
    }

    /// <summary>log Σ exp(row), vectorized (<paramref name="scratch"/> holds at least the row's length).</summary>
    private static float LogSumExp(ReadOnlySpan<float> row, Span<float> scratch)
    {
        float max = System.Numerics.Tensors.TensorPrimitives.Max(row);
        Span<float> e = scratch[..row.Length];
        System.Numerics.Tensors.TensorPrimitives.Subtract(row, max, e);
        System.Numerics.Tensors.TensorPrimitives.Exp(e, e);
        return max + MathF.Log(System.Numerics.Tensors.TensorPrimitives.Sum<float>(e));
    }

    private sealed record Hypothesis(int[] Tokens, float[][] Alignment, float Score);
}
