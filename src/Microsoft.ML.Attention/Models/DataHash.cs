using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// A SHA-256 over a training set's values (token ids, pixels, labels) with a separator after each row: the part of a
/// run's fingerprint that says which data a training checkpoint was written on.
/// </summary>
internal sealed class DataHash : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Adds one row of integers and a separator.</summary>
    public DataHash Add(ReadOnlySpan<int> values)
    {
        _hash.AppendData(MemoryMarshal.AsBytes(values));
        return Separator();
    }

    /// <summary>Adds one row of floats and a separator.</summary>
    public DataHash Add(ReadOnlySpan<float> values)
    {
        _hash.AppendData(MemoryMarshal.AsBytes(values));
        return Separator();
    }

    /// <summary>Adds every row of <paramref name="rows"/>.</summary>
    public DataHash AddAll(IEnumerable<int[]> rows)
    {
        foreach (int[] row in rows)
        {
            Add(row);
        }

        return this;
    }

    /// <summary>The hash of everything added, as hex.</summary>
    public string Finish() => Convert.ToHexString(_hash.GetHashAndReset());

    /// <inheritdoc/>
    public void Dispose() => _hash.Dispose();

    private DataHash Separator()
    {
        _hash.AppendData([0xFF, 0xFE, 0xFD, 0xFC]);
        return this;
    }
}
