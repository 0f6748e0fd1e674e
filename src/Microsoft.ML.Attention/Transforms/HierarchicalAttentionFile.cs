using System.Text.Json;
using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// A <see cref="HierarchicalAttentionTransformer"/> in a model file: <c>settings.json</c> (version, the
/// <see cref="HierarchicalAttentionOptions"/> it was trained with, vocabulary size, classes, label values),
/// <c>weights.safetensors</c> (the network's <c>state_dict</c>) and <c>vocabulary.json</c>. Every value read back is
/// checked before a network is built from it.
/// </summary>
internal static class HierarchicalAttentionFile
{
    /// <summary>The settings version this build writes and reads.</summary>
    public const int Version = 1;

    public static void Write(HierarchicalAttentionTransformer transformer, string folder, Action<string, byte[]> add)
    {
        HierarchicalAttentionModel model = transformer.Model;
        var settings = new HierarchicalAttentionFileSettings(Version, transformer.Options, model.VocabularySize, model.Classes, transformer.LabelValues, transformer.Binary);
        add($"{folder}/{ModelPartFiles.SettingsName}", JsonSerializer.SerializeToUtf8Bytes(settings, AttentionFileJson.Default.HierarchicalAttentionFileSettings));
        ModelPartFiles.WriteWeights(model, folder, add);
        ModelPartFiles.WriteVocabulary(transformer.Vocabulary, folder, add);
    }

    /// <summary>Rebuilds the transformer from its entries; <paramref name="damaged"/> makes the exception for anything wrong.</summary>
    public static HierarchicalAttentionTransformer Read(string folder, Func<string, byte[]> readEntry, Func<string, Exception> damaged)
    {
        string entry = $"{folder}/{ModelPartFiles.SettingsName}";
        HierarchicalAttentionFileSettings settings = ModelPartFiles.ReadSettings(folder, "HierarchicalAttention", Version, AttentionFileJson.Default.HierarchicalAttentionFileSettings, readEntry, damaged);
        HierarchicalAttentionOptions options = settings.Options ?? throw damaged($"'{entry}' has no options");
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw damaged($"'{entry}' is inconsistent: {e.Message}");
        }

        // Refuse sizes no real model has before allocating them (1 G parameters in any one matrix).
        const long limit = 1L << 30;
        if (settings.VocabularySize <= 2 || settings.Classes < 2 || settings.Classes > 1 << 16 || (long)settings.VocabularySize * options.EmbeddingDimension > limit
            || (long)options.HiddenSize * options.HiddenSize * 3 > limit || (long)options.HiddenSize * options.AttentionDimension > limit
            || (long)options.EmbeddingDimension * options.HiddenSize * 4 > limit)
        {
            throw damaged($"'{entry}' is inconsistent: vocabulary {settings.VocabularySize}, {settings.Classes} classes, embedding {options.EmbeddingDimension}, hidden {options.HiddenSize}, attention {options.AttentionDimension}");
        }

        if (settings.LabelValues is { } values && values.Length != settings.Classes)
        {
            throw damaged($"'{entry}' lists {values.Length} label values for {settings.Classes} classes");
        }

        if (settings.Binary && (settings.Classes != 2 || settings.LabelValues is not null))
        {
            throw damaged($"'{entry}' is a binary classifier with {settings.Classes} classes{(settings.LabelValues is null ? "" : " and label values")}");
        }

        Vocabulary vocabulary = ModelPartFiles.ReadVocabulary(folder, settings.VocabularySize, readEntry, damaged);

        // Every weight is overwritten from the file; the generator only fills the tensors first.
        var model = new HierarchicalAttentionModel(options, settings.VocabularySize, settings.Classes, new Random(0));
        ModelPartFiles.ReadWeights(model, folder, readEntry, damaged);
        return new HierarchicalAttentionTransformer(model, vocabulary, settings.LabelValues, settings.Binary);
    }
}
