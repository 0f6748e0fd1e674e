using System.Text;

namespace Microsoft.ML.Attention.Tests.Reliability;

/// <summary>
/// Mutates a seed file as fuzzers do: bit flips, bytes set to edge values, runs inserted, deleted or duplicated,
/// truncation, and in text the digits swapped for huge or negative numbers. One to four mutations per file; the same
/// seed gives the same files.
/// </summary>
internal sealed class FileMutator(int seed)
{
    private static readonly byte[] EdgeBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'"', (byte)'{', (byte)'-', (byte)'9'];

    private static readonly string[] EdgeNumbers = ["-1", "0", "2147483648", "99999999999999999999", "1e308", "-2147483649", "NaN"];

    private readonly Random _random = new(seed);

    /// <summary>A draw in [0, <paramref name="bound"/>) from the mutator's generator (which part of a structure to mutate).</summary>
    public int Next(int bound) => _random.Next(bound);

    /// <summary>A mutated copy of <paramref name="bytes"/>.</summary>
    public byte[] Mutate(byte[] bytes)
    {
        var data = new List<byte>(bytes);
        int count = 1 + _random.Next(4);
        for (int m = 0; m < count; m++)
        {
            int at = data.Count == 0 ? 0 : _random.Next(data.Count);
            switch (_random.Next(8))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[at] = EdgeBytes[_random.Next(EdgeBytes.Length)];
                    break;
                case 2:
                    data.InsertRange(at, Enumerable.Range(0, 1 + _random.Next(16)).Select(_ => (byte)_random.Next(256)));
                    break;
                case 3 when data.Count > 1:
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(64)));
                    break;
                case 4 when data.Count > 1:
                    int length = Math.Min(data.Count - at, 1 + _random.Next(256));
                    data.InsertRange(_random.Next(data.Count), data.GetRange(at, length));
                    break;
                case 5:
                    data.RemoveRange(at, data.Count - at);
                    break;
                case 6:
                    ReplaceNumber(data);
                    break;
                default:
                    if (data.Count > 8)
                    {
                        int other = _random.Next(data.Count);
                        (data[at], data[other]) = (data[other], data[at]);
                    }

                    break;
            }
        }

        return [.. data];
    }

    /// <summary>Swaps one run of ASCII digits for an edge number (lengths, offsets, shapes and sizes in headers and JSON).</summary>
    private void ReplaceNumber(List<byte> data)
    {
        int start = _random.Next(Math.Max(1, data.Count));
        int i = start;
        while (i < data.Count && !char.IsAsciiDigit((char)data[i]))
        {
            i++;
        }

        if (i >= data.Count)
        {
            return;
        }

        int end = i;
        while (end < data.Count && char.IsAsciiDigit((char)data[end]))
        {
            end++;
        }

        data.RemoveRange(i, end - i);
        data.InsertRange(i, Encoding.ASCII.GetBytes(EdgeNumbers[_random.Next(EdgeNumbers.Length)]));
    }
}
