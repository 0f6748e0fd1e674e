using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>Writes a model file in <see cref="AttentionModelFormat"/>: one part per transformer, the chain structure in the manifest.</summary>
internal sealed class AttentionModelWriter
{
    private static readonly TransformerScope[] ScopeBits = [TransformerScope.Training, TransformerScope.Testing, TransformerScope.Scoring];

    private readonly ModelOperationsCatalog _catalog;
    private readonly JsonObject _hashes = [];
    private ZipArchive? _zip;
    private int _parts;

    public AttentionModelWriter(ModelOperationsCatalog catalog) => _catalog = catalog;

    public void Write(ITransformer model, DataViewSchema? inputSchema, Stream stream)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        _zip = zip;
        if (inputSchema is not null)
        {
            // ML.NET writes the schema in its own format: an empty chain saved with it carries it.
            using var schemaStream = new MemoryStream();
            _catalog.Save(new TransformerChain<ITransformer>(), inputSchema, schemaStream);
            Add(AttentionModelFormat.InputSchemaEntry, schemaStream.ToArray());
        }

        JsonObject root = WriteNode(model, "model");
        var manifest = new JsonObject
        {
            ["format"] = AttentionModelFormat.Name,
            ["version"] = AttentionModelFormat.Version,
            ["writer"] = "Microsoft.ML.Attention " + typeof(AttentionModelWriter).Assembly.GetName().Version,
            ["hasInputSchema"] = inputSchema is not null,
            ["model"] = root,
            ["entries"] = _hashes,
        };
        WriteEntry(AttentionModelFormat.ManifestEntry, JsonSerializer.SerializeToUtf8Bytes(manifest, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Adds an entry and records its SHA-256 in the manifest.</summary>
    internal void Add(string name, byte[] data)
    {
        _hashes[name] = Convert.ToHexStringLower(SHA256.HashData(data));
        WriteEntry(name, data);
    }

    private void WriteEntry(string name, byte[] data)
    {
        ZipArchiveEntry entry = _zip!.CreateEntry(name, CompressionLevel.Fastest);
        using Stream s = entry.Open();
        s.Write(data);
    }

    private JsonObject WriteNode(ITransformer transformer, string where)
    {
        if (ChainItems(transformer) is { } items)
        {
            var children = new JsonArray();
            var scopes = new JsonArray();
            for (int i = 0; i < items.Count; i++)
            {
                children.Add(WriteNode(items[i].Transformer, $"{where}[{i}]"));
                scopes.Add((int)items[i].Scope);
            }

            return new JsonObject { ["kind"] = AttentionModelFormat.ChainKind, ["items"] = children, ["scopes"] = scopes };
        }

        string folder = $"parts/{_parts++}";
        if (transformer is AttentionEncodeTransformer encode)
        {
            AttentionEncodeFile.Write(encode, folder, Add);
            return new JsonObject { ["kind"] = AttentionModelFormat.AttentionEncodeKind, ["folder"] = folder };
        }

        if (transformer is HierarchicalAttentionTransformer han)
        {
            HierarchicalAttentionFile.Write(han, folder, Add);
            return new JsonObject { ["kind"] = AttentionModelFormat.HierarchicalAttentionKind, ["folder"] = folder };
        }

        if (transformer is ImageAttentionTransformer image)
        {
            ImageAttentionFile.Write(image, folder, Add);
            return new JsonObject { ["kind"] = AttentionModelFormat.ImageAttentionKind, ["folder"] = folder };
        }

        if (transformer is RecurrentAttentionTransformer recurrent)
        {
            RecurrentAttentionFile.Write(recurrent, folder, Add);
            return new JsonObject { ["kind"] = AttentionModelFormat.RecurrentAttentionKind, ["folder"] = folder };
        }

        if (transformer is SequenceToSequenceTransformer sequence)
        {
            SequenceToSequenceFile.Write(sequence, folder, Add);
            return new JsonObject { ["kind"] = AttentionModelFormat.SequenceToSequenceKind, ["folder"] = folder };
        }

        if (transformer is TimeStepAttentionTransformer steps)
        {
            TimeStepAttentionFile.Write(steps, folder, Add);
            return new JsonObject { ["kind"] = AttentionModelFormat.TimeStepAttentionKind, ["folder"] = folder };
        }

        if (transformer is CoAttentionTransformer pair)
        {
            CoAttentionFile.Write(pair, folder, Add);
            return new JsonObject { ["kind"] = AttentionModelFormat.CoAttentionKind, ["folder"] = folder };
        }

        string entry = folder + ".zip";
        using var part = new MemoryStream();
        try
        {
            _catalog.Save(transformer, null, part);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidOperationException($"SaveWithAttention: {where} ({transformer.GetType().Name}) cannot be saved by ML.NET's Model.Save: {e.Message}", e);
        }

        Add(entry, part.ToArray());
        return new JsonObject { ["kind"] = AttentionModelFormat.MLNetKind, ["entry"] = entry, ["type"] = transformer.GetType().Name };
    }

    /// <summary>
    /// The items of a <see cref="TransformerChain{TLastTransformer}"/> with their scopes, or null for any other transformer.
    /// A chain's scopes are public only through <c>GetModelFor(scope)</c> on the generic type, so it is called by name.
    /// </summary>
    private static List<(ITransformer Transformer, TransformerScope Scope)>? ChainItems(ITransformer transformer)
    {
        Type type = transformer.GetType();
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(TransformerChain<>))
        {
            return null;
        }

        var items = ((IEnumerable<ITransformer>)transformer).Select(t => (Transformer: t, Scope: TransformerScope.None)).ToList();
        MethodInfo getModelFor = type.GetMethod(nameof(TransformerChain<ITransformer>.GetModelFor), [typeof(TransformerScope)])
            ?? throw new MissingMethodException("TransformerChain.GetModelFor(TransformerScope) was not found; this ML.NET version is not supported.");
        foreach (TransformerScope bit in ScopeBits)
        {
            var inScope = new HashSet<ITransformer>((IEnumerable<ITransformer>)getModelFor.Invoke(transformer, [bit])!, ReferenceEqualityComparer.Instance);
            for (int i = 0; i < items.Count; i++)
            {
                if (inScope.Contains(items[i].Transformer))
                {
                    items[i] = (items[i].Transformer, items[i].Scope | bit);
                }
            }
        }

        return items;
    }
}
