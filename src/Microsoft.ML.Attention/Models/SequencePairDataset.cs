namespace Microsoft.ML.Attention.Models;

/// <summary>Training pairs of source and target token ids (targets without the start and end markers).</summary>
public sealed class SequencePairDataset
{
    /// <summary>Creates the dataset; every source needs at least one token.</summary>
    public SequencePairDataset(IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(targets);
        if (sources.Count != targets.Count)
        {
            throw new ArgumentException($"{sources.Count} sources but {targets.Count} targets.", nameof(targets));
        }

        for (int i = 0; i < sources.Count; i++)
        {
            if (sources[i].Length == 0)
            {
                throw new ArgumentException($"Source {i} is empty; every source needs at least one token.", nameof(sources));
            }
        }

        Sources = sources;
        Targets = targets;
    }

    /// <summary>Source token ids.</summary>
    public IReadOnlyList<int[]> Sources { get; }

    /// <summary>Target token ids.</summary>
    public IReadOnlyList<int[]> Targets { get; }

    /// <summary>Number of pairs.</summary>
    public int Count => Sources.Count;

    /// <summary>The pairs at <paramref name="rows"/> as one padded batch.</summary>
    public SequencePairBatch Batch(IReadOnlyList<int> rows) =>
        SequencePairBatch.From([.. rows.Select(r => Sources[r])], [.. rows.Select(r => Targets[r])]);

    /// <summary>
    /// <paramref name="rows"/> in batches of about <paramref name="batchSize"/> pairs of similar lengths (source, then
    /// target), so that padding stays small. With <paramref name="random"/>, ties are broken and the batches ordered at
    /// random; without, both follow the rows' order.
    /// </summary>
    public List<int[]> Buckets(IReadOnlyList<int> rows, int batchSize, Random? random) =>
        LengthBuckets.Split(rows, r => (Sources[r].Length, Targets[r].Length), batchSize, random);
}
