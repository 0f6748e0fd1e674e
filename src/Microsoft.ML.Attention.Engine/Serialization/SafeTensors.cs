using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Serialization;

/// <summary>
/// Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header of
/// name → {dtype, shape, data_offsets}, then the raw little-endian data), the format PyTorch and Hugging Face use
/// to exchange weights. Tensors are written as F32; F32, F64, F16, BF16, I64 and I32 are read and converted to float.
/// Every offset, size and shape in the header is checked against the file before anything is allocated.
/// </summary>
public static class SafeTensors
{
    /// <summary>Header size limit (100 MB, as the reference implementation).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes tensors to <paramref name="path"/> atomically: a failed write leaves an existing file untouched.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                Write(stream, tensors, metadata);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Writes tensors to a stream in safetensors format, names in ordinal order.</summary>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        string[] names = [.. tensors.Keys.OrderBy(k => k, StringComparer.Ordinal)];
        using var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (KeyValuePair<string, string> kv in metadata.OrderBy(k => k.Key, StringComparer.Ordinal))
                {
                    w.WriteString(kv.Key, kv.Value);
                }

                w.WriteEndObject();
            }

            long offset = 0;
            foreach (string name in names)
            {
                Tensor t = tensors[name];
                w.WriteStartObject(name);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape");
                foreach (int d in t.Dims)
                {
                    w.WriteNumberValue(d);
                }

                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + 4L * t.Length);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += 4L * t.Length;
            }

            w.WriteEndObject();
        }

        int pad = (int)((8 - json.Length % 8) % 8);
        for (int i = 0; i < pad; i++)
        {
            json.WriteByte((byte)' ');
        }

        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)json.Length);
        stream.Write(len);
        json.Position = 0;
        json.CopyTo(stream);
        foreach (string name in names)
        {
            ReadOnlySpan<float> data = tensors[name].AsSpan();
            if (BitConverter.IsLittleEndian)
            {
                stream.Write(MemoryMarshal.AsBytes(data));
            }
            else
            {
                var buf = new byte[4];
                foreach (float f in data)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(buf, f);
                    stream.Write(buf);
                }
            }
        }
    }

    /// <summary>Reads every tensor of a safetensors file.</summary>
    /// <exception cref="InvalidDataException">The file is truncated, malformed or names an unsupported dtype; the message names the file and the problem.</exception>
    public static Dictionary<string, Tensor> Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            return Read(stream, stream.Length);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid safetensors file: {e.Message}", e);
        }
    }

    /// <summary>Reads every tensor from a stream holding <paramref name="length"/> bytes of safetensors data.</summary>
    public static Dictionary<string, Tensor> Read(Stream stream, long length) => Read(stream, length, out _);

    /// <summary>Reads every tensor of a safetensors file and its <c>__metadata__</c> strings (empty when it has none).</summary>
    /// <exception cref="InvalidDataException">As <see cref="Load(string)"/>, and for metadata that are not strings.</exception>
    public static Dictionary<string, Tensor> Load(string path, out Dictionary<string, string> metadata)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            return Read(stream, stream.Length, out metadata);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid safetensors file: {e.Message}", e);
        }
    }

    /// <summary>Reads every tensor and the <c>__metadata__</c> strings from a stream holding <paramref name="length"/> bytes.</summary>
    public static Dictionary<string, Tensor> Read(Stream stream, long length, out Dictionary<string, string> metadata)
    {
        metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        ArgumentNullException.ThrowIfNull(stream);
        if (length < 8)
        {
            throw new InvalidDataException($"it holds {length} bytes, fewer than the 8-byte header length.");
        }

        Span<byte> lenBytes = stackalloc byte[8];
        stream.ReadExactly(lenBytes);
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
        if (headerLen > MaxHeaderBytes || (long)headerLen > length - 8)
        {
            throw new InvalidDataException($"the header claims {headerLen} bytes but the file holds {length - 8} after the length field (limit {MaxHeaderBytes}).");
        }

        byte[] header = new byte[headerLen];
        stream.ReadExactly(header);
        long dataLength = length - 8 - (long)headerLen;
        var entries = new List<(string Name, string Dtype, int[] Shape, long Begin, long End)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using JsonDocument doc = JsonDocument.Parse(header);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException("the header is not a JSON object.");
            }

            foreach (JsonProperty prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object)
                    {
                        throw new InvalidDataException("__metadata__ is not a JSON object.");
                    }

                    foreach (JsonProperty m in prop.Value.EnumerateObject())
                    {
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : throw new InvalidDataException($"__metadata__ '{m.Name}' is not a string.");
                    }

                    continue;
                }

                JsonElement e = prop.Value;
                string dtype = e.GetProperty("dtype").GetString() ?? "";
                int[] shape = [.. e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())];
                JsonElement[] offsets = [.. e.GetProperty("data_offsets").EnumerateArray()];
                if (offsets.Length != 2)
                {
                    throw new InvalidDataException($"tensor '{prop.Name}' has {offsets.Length} data offsets; expected 2.");
                }

                if (!seen.Add(prop.Name))
                {
                    throw new InvalidDataException($"the header names tensor '{prop.Name}' twice.");
                }

                entries.Add((prop.Name, dtype, shape, offsets[0].GetInt64(), offsets[1].GetInt64()));
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"the JSON header is malformed ({e.Message}).", e);
        }

        foreach ((string name, string dtype, int[] shape, long begin, long end) in entries)
        {
            int size = ElementSize(dtype, name);
            long count = 1;
            foreach (int d in shape)
            {
                if (d < 0)
                {
                    throw new InvalidDataException($"tensor '{name}' has a negative dimension in shape {ShapeMath.Format(shape)}.");
                }

                count *= d;
                if (count > int.MaxValue)
                {
                    throw new InvalidDataException($"tensor '{name}' of shape {ShapeMath.Format(shape)} is too large.");
                }
            }

            if (begin < 0 || end < begin || end > dataLength || end - begin != count * size)
            {
                throw new InvalidDataException($"tensor '{name}' ({dtype}, shape {ShapeMath.Format(shape)}) has data offsets [{begin}, {end}) that do not fit its size ({count * size} bytes) or the {dataLength} data bytes present (truncated file?).");
            }
        }

        byte[] data = new byte[dataLength];
        stream.ReadExactly(data);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach ((string name, string dtype, int[] shape, long begin, long end) in entries)
        {
            Tensor t = Tensor.ZerosUnscoped(shape);
            Decode(dtype, data.AsSpan((int)begin, (int)(end - begin)), t.AsSpan());
            result.Add(name, t);
        }

        return result;
    }

    private static int ElementSize(string dtype, string name) => dtype switch
    {
        "F32" or "I32" => 4,
        "F64" or "I64" => 8,
        "F16" or "BF16" => 2,
        _ => throw new InvalidDataException($"tensor '{name}' has dtype '{dtype}'; supported: F32, F64, F16, BF16, I64, I32."),
    };

    private static void Decode(string dtype, ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++)
        {
            dst[i] = dtype switch
            {
                "F32" => BinaryPrimitives.ReadSingleLittleEndian(src.Slice(i * 4)),
                "I32" => BinaryPrimitives.ReadInt32LittleEndian(src.Slice(i * 4)),
                "F64" => (float)BinaryPrimitives.ReadDoubleLittleEndian(src.Slice(i * 8)),
                "I64" => BinaryPrimitives.ReadInt64LittleEndian(src.Slice(i * 8)),
                "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(src.Slice(i * 2)),
                _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(i * 2)) << 16),
            };
        }
    }
}
