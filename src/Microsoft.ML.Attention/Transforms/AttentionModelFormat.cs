namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// The layout of a model file written by <c>SaveWithAttention</c>: a zip holding <see cref="ManifestEntry"/> (format
/// name and version, the model's tree of chains and parts, a SHA-256 of every other entry), the input schema as an
/// empty ML.NET chain saved by ML.NET (<see cref="InputSchemaEntry"/>), and one entry (ML.NET transformer) or folder
/// (pack transformer) per part.
/// </summary>
internal static class AttentionModelFormat
{
    /// <summary>The manifest's "format" value.</summary>
    public const string Name = "Microsoft.ML.Attention.Model";

    /// <summary>The version this build writes and the newest it reads. Raise it when a reader of this version could misread a newer file.</summary>
    public const int Version = 1;

    public const string ManifestEntry = "manifest.json";

    public const string InputSchemaEntry = "input-schema.zip";

    /// <summary>Kind of a chain node.</summary>
    public const string ChainKind = "chain";

    /// <summary>Kind of an ML.NET transformer, saved by ML.NET's <c>Model.Save</c> into one entry.</summary>
    public const string MLNetKind = "mlnet";

    /// <summary>Kind of an <see cref="AttentionEncodeTransformer"/>.</summary>
    public const string AttentionEncodeKind = "attention-encode";

    /// <summary>Kind of a <see cref="HierarchicalAttentionTransformer"/>.</summary>
    public const string HierarchicalAttentionKind = "hierarchical-attention";

    /// <summary>Kind of an <see cref="ImageAttentionTransformer"/>.</summary>
    public const string ImageAttentionKind = "image-attention";

    /// <summary>Kind of a <see cref="RecurrentAttentionTransformer"/>.</summary>
    public const string RecurrentAttentionKind = "recurrent-attention";

    /// <summary>Kind of a <see cref="SequenceToSequenceTransformer"/>.</summary>
    public const string SequenceToSequenceKind = "sequence-to-sequence";

    /// <summary>Kind of a <see cref="TimeStepAttentionTransformer"/>.</summary>
    public const string TimeStepAttentionKind = "time-step-attention";

    /// <summary>Kind of a <see cref="CoAttentionTransformer"/>.</summary>
    public const string CoAttentionKind = "co-attention";

    /// <summary>Largest entry the reader accepts (2 GiB).</summary>
    public const long MaxEntryBytes = int.MaxValue;
}
