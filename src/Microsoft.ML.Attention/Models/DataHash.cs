using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// A SHA-256 over a training set's values (token ids, pixels, labels), each row followed by the int −1 as a boundary:
/// the part of a run's fingerprint that says which data a training checkpoint was written on.
/// </summary>
internal sealed class DataHash : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Adds one row of integers and the row boundary.</summary>
    public DataHash Add(ReadOnlySpan<int> values) => Append(values).Mark(-1);

    /// <summary>Adds one row of floats and the row boundary.</summary>
    public DataHash Add(ReadOnlySpan<float> values) => Append(values).Mark(-1);

    /// <summary>Adds every row of <paramref name="rows"/>, each with its boundary.</summary>
    public DataHash AddAll(IEnumerable<int[]> rows)
    {
        foreach (int[] row in rows)
        {
            Add(row);
        }

        return this;
    }

    /// <summary>Adds integers without a boundary (a block the caller delimits).</summary>
    public DataHash Append(ReadOnlySpan<int> values)
    {
        _hash.AppendData(MemoryMarshal.AsBytes(values));
        return this;
    }

    /// <summary>Adds floats without a boundary.</summary>
    public DataHash Append(ReadOnlySpan<float> values)
    {
        _hash.AppendData(MemoryMarshal.AsBytes(values));
        return this;
    }

    /// <summary>Adds one int as a marker (−1 ends a row; a caller may end larger units with other values).</summary>
    public DataHash Mark(int marker)
    {
        _hash.AppendData(BitConverter.GetBytes(marker));
        return this;
    }

    /// <summary>The hash of everything added, as hex.</summary>
    public string Finish() => Convert.ToHexString(_hash.GetHashAndReset());

    /// <inheritdoc/>
    public void Dispose() => _hash.Dispose();
}
