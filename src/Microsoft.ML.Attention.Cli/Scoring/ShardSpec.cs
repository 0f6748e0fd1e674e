using System.Globalization;

namespace Microsoft.ML.Attention.Cli.Scoring;

/// <summary>
/// <c>--shard i/N</c>: a deterministic partition of a file's rows into N shards by blocks of <see cref="BlockRows"/>
/// consecutive rows, dealt round-robin (block b goes to shard b mod N + 1). Whole blocks keep every shard's scoring
/// batches the same as one process's, so merged shards equal one process's output byte for byte.
/// </summary>
internal readonly record struct ShardSpec(int Index, int Count)
{
    /// <summary>Rows per block.</summary>
    public const int BlockRows = 1024;

    /// <summary>Every row in one shard.</summary>
    public static ShardSpec All => new(1, 1);

    /// <summary>Whether the 0-based row <paramref name="row"/> belongs to this shard.</summary>
    public bool Holds(long row) => (row / BlockRows) % Count == Index - 1;

    /// <summary>Parses "i/N" (1 ≤ i ≤ N).</summary>
    /// <exception cref="CliException">Anything else.</exception>
    public static ShardSpec Parse(string text)
    {
        string[] parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            && count >= 1 && index >= 1 && index <= count)
        {
            return new ShardSpec(index, count);
        }

        throw new CliException($"--shard: '{text}' is not i/N with 1 <= i <= N (e.g. 2/4).");
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Index}/{Count}";
}
