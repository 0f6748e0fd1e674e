using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Reads a model file in <see cref="AttentionModelFormat"/>. Nothing is instantiated from a name in the file: a part is
/// either an ML.NET transformer (loaded by ML.NET's own <c>Model.Load</c>), an <see cref="AttentionEncodeTransformer"/>,
/// or a chain of parts. Every entry is checked against the manifest's SHA-256 before it is used.
/// </summary>
internal sealed class AttentionModelReader
{
    private const int MaxDepth = 64;
    private const string OwnMarker = "Microsoft.ML.Attention.ModelFile";

    private readonly ModelOperationsCatalog _catalog;
    private readonly string _name;
    private readonly Dictionary<string, string> _hashes = new(StringComparer.Ordinal);
    private ZipArchive? _zip;

    public AttentionModelReader(ModelOperationsCatalog catalog, string name)
    {
        _catalog = catalog;
        _name = name;
    }

    public ITransformer Read(Stream stream, out DataViewSchema? inputSchema)
    {
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }

        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw Damaged($"it is not a readable zip archive ({e.Message})");
        }

        using (zip)
        {
            _zip = zip;
            try
            {
                return ReadManifest(out inputSchema);
            }
            catch (Exception e) when (e is InvalidDataException && !IsOurs(e) || e is IOException and not FileNotFoundException)
            {
                throw Damaged(e.Message);
            }
        }
    }

    private ITransformer ReadManifest(out DataViewSchema? inputSchema)
    {
        if (_zip!.GetEntry(AttentionModelFormat.ManifestEntry) is null)
        {
            throw Damaged(_zip.Entries.Any(IsMLNetEntry)
                ? $"it has no '{AttentionModelFormat.ManifestEntry}': it looks like a file written by mlContext.Model.Save, which mlContext.Model.Load reads"
                : $"it has no '{AttentionModelFormat.ManifestEntry}'");
        }

        JsonElement manifest;
        try
        {
            byte[] bytes = ReadRaw(AttentionModelFormat.ManifestEntry);
            if (!Utf8.IsValid(bytes))
            {
                throw Damaged($"'{AttentionModelFormat.ManifestEntry}' is not UTF-8 text");
            }

            using JsonDocument doc = JsonDocument.Parse(bytes);
            manifest = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw Damaged($"'{AttentionModelFormat.ManifestEntry}' is not valid JSON ({e.Message})");
        }

        if (manifest.ValueKind != JsonValueKind.Object || !manifest.TryGetProperty("format", out JsonElement format) || format.ValueKind != JsonValueKind.String
            || format.GetString() != AttentionModelFormat.Name)
        {
            throw Damaged($"'{AttentionModelFormat.ManifestEntry}' does not name the format '{AttentionModelFormat.Name}'");
        }

        if (!manifest.TryGetProperty("version", out JsonElement versionElement) || !versionElement.TryGetInt32(out int version) || version < 1)
        {
            throw Damaged($"'{AttentionModelFormat.ManifestEntry}' has no valid format version");
        }

        if (version > AttentionModelFormat.Version)
        {
            throw new NotSupportedException(
                $"The model file '{_name}' has format version {version}, written by a newer Microsoft.ML.Attention; this build reads up to version {AttentionModelFormat.Version}. Update the Microsoft.ML.Attention package to load it.");
        }

        if (!manifest.TryGetProperty("entries", out JsonElement entries) || entries.ValueKind != JsonValueKind.Object)
        {
            throw Damaged($"'{AttentionModelFormat.ManifestEntry}' has no entry checksums");
        }

        foreach (JsonProperty entry in entries.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                throw Damaged($"'{AttentionModelFormat.ManifestEntry}': the checksum of '{entry.Name}' is not a string");
            }

            _hashes[entry.Name] = entry.Value.GetString()!;
        }

        inputSchema = null;
        if (manifest.TryGetProperty("hasInputSchema", out JsonElement hasSchema) && hasSchema.ValueKind == JsonValueKind.True)
        {
            using var schemaStream = new MemoryStream(ReadEntry(AttentionModelFormat.InputSchemaEntry), writable: false);
            try
            {
                _catalog.Load(schemaStream, out inputSchema);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw Damaged($"the input schema ('{AttentionModelFormat.InputSchemaEntry}') was not loaded by ML.NET's Model.Load: {ex.Message}");
            }
        }

        if (!manifest.TryGetProperty("model", out JsonElement model))
        {
            throw Damaged($"'{AttentionModelFormat.ManifestEntry}' has no model");
        }

        ITransformer loaded = ReadNode(model, "model", 0);
        if (inputSchema is not null)
        {
            // The parts must fit the schema they were saved with, as they did when saved: a manifest whose chain was
            // changed (a part dropped, moved or swapped) is refused here, not at the first Transform.
            try
            {
                loaded.GetOutputSchema(inputSchema);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && !IsOurs(ex))
            {
                throw Damaged($"its parts do not fit the input schema saved with them: {ex.Message}");
            }
        }

        return loaded;
    }

    private ITransformer ReadNode(JsonElement node, string where, int depth)
    {
        if (depth > MaxDepth)
        {
            throw Damaged($"{where} nests chains more than {MaxDepth} deep");
        }

        string kind = node.ValueKind == JsonValueKind.Object && node.TryGetProperty("kind", out JsonElement k) && k.ValueKind == JsonValueKind.String
            ? k.GetString()!
            : throw Damaged($"{where} has no kind");
        switch (kind)
        {
            case AttentionModelFormat.ChainKind:
                if (!node.TryGetProperty("items", out JsonElement items) || items.ValueKind != JsonValueKind.Array
                    || !node.TryGetProperty("scopes", out JsonElement scopes) || scopes.ValueKind != JsonValueKind.Array
                    || scopes.GetArrayLength() != items.GetArrayLength())
                {
                    throw Damaged($"{where} is a chain without matching items and scopes");
                }

                var transformers = new List<ITransformer>();
                var scopeList = new List<TransformerScope>();
                int i = 0;
                foreach ((JsonElement item, JsonElement scope) in items.EnumerateArray().Zip(scopes.EnumerateArray()))
                {
                    if (!scope.TryGetInt32(out int bits) || (bits & ~(int)TransformerScope.Everything) != 0)
                    {
                        throw Damaged($"{where}[{i}] has an invalid scope");
                    }

                    transformers.Add(ReadNode(item, $"{where}[{i}]", depth + 1));
                    scopeList.Add((TransformerScope)bits);
                    i++;
                }

                return new TransformerChain<ITransformer>(transformers, scopeList);

            case AttentionModelFormat.AttentionEncodeKind:
                return AttentionEncodeFile.Read(Folder(node, where), ReadEntry, detail => Damaged($"{where}: {detail}"));

            case AttentionModelFormat.HierarchicalAttentionKind:
                return HierarchicalAttentionFile.Read(Folder(node, where), ReadEntry, detail => Damaged($"{where}: {detail}"));
            case AttentionModelFormat.ImageAttentionKind:
                return ImageAttentionFile.Read(Folder(node, where), ReadEntry, detail => Damaged($"{where}: {detail}"));
            case AttentionModelFormat.RecurrentAttentionKind:
                return RecurrentAttentionFile.Read(Folder(node, where), ReadEntry, detail => Damaged($"{where}: {detail}"));
            case AttentionModelFormat.SequenceToSequenceKind:
                return SequenceToSequenceFile.Read(Folder(node, where), ReadEntry, detail => Damaged($"{where}: {detail}"));
            case AttentionModelFormat.TimeStepAttentionKind:
                return TimeStepAttentionFile.Read(Folder(node, where), ReadEntry, detail => Damaged($"{where}: {detail}"));
            case AttentionModelFormat.CoAttentionKind:
                return CoAttentionFile.Read(Folder(node, where), ReadEntry, detail => Damaged($"{where}: {detail}"));

            case AttentionModelFormat.MLNetKind:
                string entry = node.TryGetProperty("entry", out JsonElement e) && e.ValueKind == JsonValueKind.String
                    ? e.GetString()!
                    : throw Damaged($"{where} has no entry");
                byte[] blob = ReadEntry(entry);
                CheckNestedZip(blob, entry);
                using (var part = new MemoryStream(blob, writable: false))
                {
                    ITransformer loaded;
                    try
                    {
                        loaded = _catalog.Load(part, out _);
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException)
                    {
                        throw Damaged($"{where} ('{entry}') was not loaded by ML.NET's Model.Load: {ex.Message}");
                    }

                    // A lone transformer may come back wrapped in a chain of one; parts are never chains.
                    return loaded is TransformerChain<ITransformer> chain && chain.Count() == 1 ? chain.Single() : loaded;
                }

            default:
                throw Damaged($"{where} has the unknown kind '{kind}'");
        }
    }

    private string Folder(JsonElement node, string where) =>
        node.TryGetProperty("folder", out JsonElement f) && f.ValueKind == JsonValueKind.String ? f.GetString()! : throw Damaged($"{where} has no folder");

    /// <summary>An entry's bytes, checked against the manifest's SHA-256.</summary>
    private byte[] ReadEntry(string name)
    {
        if (!_hashes.TryGetValue(name, out string? expected))
        {
            throw Damaged($"the manifest has no checksum for '{name}'");
        }

        byte[] data = ReadRaw(name);
        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(data)), expected, StringComparison.Ordinal))
        {
            throw Damaged($"the entry '{name}' does not match its checksum");
        }

        return data;
    }

    /// <summary>
    /// An ML.NET part is itself a zip: its entries must be whole (sizes within deflate's ratio, CRC-32 as recorded)
    /// before ML.NET's <c>Model.Load</c> reads them, which trusts what it reads (a damaged count in one of them made it
    /// loop for minutes under the fuzzer).
    /// </summary>
    private void CheckNestedZip(byte[] blob, string name)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(blob, writable: false), ZipArchiveMode.Read);
            foreach (ZipArchiveEntry e in zip.Entries)
            {
                if (e.Length > e.CompressedLength * MaxDeflateRatio + 1024 || e.Length > AttentionModelFormat.MaxEntryBytes)
                {
                    throw Damaged($"'{name}' holds '{e.FullName}', which claims {e.Length} bytes from {e.CompressedLength} compressed");
                }

                var data = new byte[e.Length];
                using (Stream s = e.Open())
                {
                    s.ReadExactly(data);
                }

                if (Crc32.Compute(data) != e.Crc32)
                {
                    throw Damaged($"'{name}' holds '{e.FullName}', which does not match its zip checksum");
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException && !IsOurs(e) || e is IOException)
        {
            throw Damaged($"'{name}' is not a readable ML.NET model zip ({e.Message})");
        }
    }

    /// <summary>Deflate's largest expansion (258-byte matches from 2-bit codes) with a margin.</summary>
    private const long MaxDeflateRatio = 1100;

    private byte[] ReadRaw(string name)
    {
        ZipArchiveEntry entry = _zip!.GetEntry(name) ?? throw Damaged($"the entry '{name}' is missing");
        if (entry.Length > AttentionModelFormat.MaxEntryBytes)
        {
            throw Damaged($"the entry '{name}' is larger than {AttentionModelFormat.MaxEntryBytes} bytes");
        }

        // The directory's size is only a claim: deflate expands at most ~1,032 times, so a larger claim is a damaged
        // file, refused before it can make the reader allocate gigabytes for a few compressed bytes.
        if (entry.Length > entry.CompressedLength * MaxDeflateRatio + 1024)
        {
            throw Damaged($"the entry '{name}' claims {entry.Length} bytes from {entry.CompressedLength} compressed");
        }

        var data = new byte[entry.Length];
        try
        {
            using Stream s = entry.Open();
            s.ReadExactly(data);
            if (s.ReadByte() != -1)
            {
                throw Damaged($"the entry '{name}' is longer than its directory says");
            }
        }
        catch (Exception e) when (e is InvalidDataException && !IsOurs(e) || e is IOException)
        {
            throw Damaged($"the entry '{name}' cannot be read ({e.Message})");
        }

        if (Crc32.Compute(data) != entry.Crc32)
        {
            throw Damaged($"the entry '{name}' does not match its zip checksum");
        }

        return data;
    }

    /// <summary>Whether an entry is one of ML.NET's own model zip (TrainingInfo/Version.txt, TransformerChain/…, Model/…).</summary>
    private static bool IsMLNetEntry(ZipArchiveEntry e) =>
        e.FullName.StartsWith("TransformerChain/", StringComparison.Ordinal) || e.FullName.StartsWith("Model/", StringComparison.Ordinal)
        || e.FullName == "TrainingInfo/Version.txt";

    private InvalidDataException Damaged(string detail)
    {
        var e = new InvalidDataException($"The model file '{_name}' is damaged or is not a model written by SaveWithAttention: {detail}.");
        e.Data[OwnMarker] = true;
        return e;
    }

    /// <summary>Whether an exception is one of this reader's own (already clear) messages, as opposed to one from the zip layer.</summary>
    private static bool IsOurs(Exception e) => e.Data.Contains(OwnMarker);
}
