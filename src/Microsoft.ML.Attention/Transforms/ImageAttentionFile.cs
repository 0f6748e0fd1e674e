using System.Text.Json;
using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// An <see cref="ImageAttentionTransformer"/> in a model file: <c>settings.json</c> (version, the
/// <see cref="ImageAttentionOptions"/> it was trained with, image layout, classes, label values, mode) and
/// <c>weights.safetensors</c> (the network's <c>state_dict</c>, batch-norm statistics and input standardization
/// included). Every value read back is checked before a network is built from it.
/// </summary>
internal static class ImageAttentionFile
{
    /// <summary>The settings version this build writes and reads.</summary>
    public const int Version = 1;

    public static void Write(ImageAttentionTransformer transformer, string folder, Action<string, byte[]> add)
    {
        ImageAttentionNetwork model = transformer.Model;
        ImageShape s = model.Shape;
        var settings = new ImageAttentionFileSettings(Version, transformer.Options, s.Channels, s.Height, s.Width, model.Classes, transformer.LabelValues, transformer.Featurizer);
        add($"{folder}/{ModelPartFiles.SettingsName}", JsonSerializer.SerializeToUtf8Bytes(settings, AttentionFileJson.Default.ImageAttentionFileSettings));
        ModelPartFiles.WriteWeights(model, folder, add);
    }

    /// <summary>Rebuilds the transformer from its entries; <paramref name="damaged"/> makes the exception for anything wrong.</summary>
    public static ImageAttentionTransformer Read(string folder, Func<string, byte[]> readEntry, Func<string, Exception> damaged)
    {
        string entry = $"{folder}/{ModelPartFiles.SettingsName}";
        ImageAttentionFileSettings settings = ModelPartFiles.ReadSettings(folder, "ImageAttention", Version, AttentionFileJson.Default.ImageAttentionFileSettings, readEntry, damaged);
        ImageAttentionOptions options = settings.Options ?? throw damaged($"'{entry}' has no options");
        var shape = new ImageShape(settings.Channels, settings.Height, settings.Width);
        try
        {
            options.Validate();
            if (shape.Channels <= 0 || shape.Height <= 0 || shape.Width <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(settings), $"the image layout {shape} is not positive");
            }

            options.CheckFits(shape, options.FeatureColumnName);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw damaged($"'{entry}' is inconsistent: {e.Message}");
        }

        // Refuse sizes no real model has before allocating them (1 G values in any one tensor).
        const long limit = 1L << 30;
        long widest = options.StageChannels.Max();
        if (settings.Classes < 2 || settings.Classes > 1 << 16 || (long)shape.Channels * shape.Height * shape.Width > limit
            || widest * widest * 9 > limit || (long)options.EmbeddingDimension * widest * shape.Height * shape.Width > limit)
        {
            throw damaged($"'{entry}' is inconsistent: {settings.Classes} classes, images {shape}, stages [{string.Join(", ", options.StageChannels)}], embedding {options.EmbeddingDimension}");
        }

        if (settings.LabelValues is { } values && values.Length != settings.Classes)
        {
            throw damaged($"'{entry}' lists {values.Length} label values for {settings.Classes} classes");
        }

        // Every weight is overwritten from the file; the generator only fills the tensors first.
        var model = new ImageAttentionNetwork(options, shape, settings.Classes, new Random(0));
        ModelPartFiles.ReadWeights(model, folder, readEntry, damaged);
        return new ImageAttentionTransformer(model, settings.LabelValues, settings.Featurizer);
    }
}
