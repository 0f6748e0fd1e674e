using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Tests.Sequences;

/// <summary>Random strings over a small alphabet as token ids (ids from <see cref="SequenceToSequenceModel.FirstToken"/>), copied or reversed.</summary>
internal static class StringTask
{
    internal const int Letters = 20;

    internal static int VocabularySize => SequenceToSequenceModel.FirstToken + Letters;

    /// <summary><paramref name="count"/> strings of 3–<paramref name="longest"/> letters and their copies or reversals.</summary>
    internal static SequencePairDataset Create(int count, bool reverse, int seed, int longest = 8)
    {
        var random = new Random(seed);
        var sources = new List<int[]>();
        var targets = new List<int[]>();
        for (int i = 0; i < count; i++)
        {
            int[] s = [.. Enumerable.Range(0, random.Next(3, longest + 1)).Select(_ => SequenceToSequenceModel.FirstToken + random.Next(Letters))];
            sources.Add(s);
            targets.Add(reverse ? [.. s.Reverse()] : s);
        }

        return new SequencePairDataset(sources, targets);
    }

    internal static SequenceToSequenceOptions SmallOptions(DecoderAttentionKind attention, bool inputFeeding = false) => new()
    {
        EmbeddingDimension = 16,
        HiddenSize = 32,
        AttentionDimension = 32,
        Attention = attention,
        InputFeeding = inputFeeding,
        Dropout = 0f,
        Epochs = 10,
        BatchSize = 32,
        LearningRate = 5e-3f,
        ValidationFraction = 0f,
        MaximumSourceLength = 20,
        MaximumTargetLength = 20,
    };

    /// <summary>Share of <paramref name="data"/>'s pairs decoded exactly.</summary>
    internal static double ExactMatch(SequenceToSequenceModel model, SequencePairDataset data, Func<SourceBatch, DecodedSequence[]> decode)
    {
        int right = 0;
        for (int start = 0; start < data.Count; start += 128)
        {
            int[] rows = [.. Enumerable.Range(start, Math.Min(128, data.Count - start))];
            DecodedSequence[] decoded = decode(SourceBatch.From([.. rows.Select(r => data.Sources[r])]));
            right += rows.Where((r, i) => decoded[i].Tokens.SequenceEqual(data.Targets[r])).Count();
        }

        return (double)right / data.Count;
    }
}
