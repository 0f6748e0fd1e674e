using System.Text.Json;
using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// A <see cref="RecurrentAttentionTransformer"/> in a model file: <c>settings.json</c> (version, options, image layout,
/// classes, label values) and <c>weights.safetensors</c>. Every value read back is checked before a network is built.
/// </summary>
internal static class RecurrentAttentionFile
{
    /// <summary>The settings version this build writes and reads.</summary>
    public const int Version = 1;

    public static void Write(RecurrentAttentionTransformer transformer, string folder, Action<string, byte[]> add)
    {
        RecurrentAttentionNetwork model = transformer.Model;
        ImageShape s = model.Shape;
        var settings = new RecurrentAttentionFileSettings(Version, transformer.Options, s.Channels, s.Height, s.Width, model.Classes, transformer.LabelValues);
        add($"{folder}/{ModelPartFiles.SettingsName}", JsonSerializer.SerializeToUtf8Bytes(settings, AttentionFileJson.Default.RecurrentAttentionFileSettings));
        ModelPartFiles.WriteWeights(model, folder, add);
    }

    /// <summary>Rebuilds the transformer from its entries; <paramref name="damaged"/> makes the exception for anything wrong.</summary>
    public static RecurrentAttentionTransformer Read(string folder, Func<string, byte[]> readEntry, Func<string, Exception> damaged)
    {
        string entry = $"{folder}/{ModelPartFiles.SettingsName}";
        RecurrentAttentionFileSettings settings = ModelPartFiles.ReadSettings(folder, "RecurrentAttention", Version, AttentionFileJson.Default.RecurrentAttentionFileSettings, readEntry, damaged);
        RecurrentAttentionOptions options = settings.Options ?? throw damaged($"'{entry}' has no options");
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw damaged($"'{entry}' is inconsistent: {e.Message}");
        }

        const long limit = 1L << 30;
        var shape = new ImageShape(settings.Channels, settings.Height, settings.Width);
        long glimpse = (long)options.Scales * shape.Channels * options.PatchSize * options.PatchSize;
        if (shape.Channels <= 0 || shape.Height <= 0 || shape.Width <= 0 || (long)shape.Channels * shape.Height * shape.Width > limit
            || settings.Classes < 2 || settings.Classes > 1 << 16 || glimpse * options.GlimpseHidden > limit || (long)options.HiddenSize * options.HiddenSize > limit)
        {
            throw damaged($"'{entry}' is inconsistent: images {shape}, {settings.Classes} classes, glimpse {glimpse}, hidden {options.HiddenSize}");
        }

        if (settings.LabelValues is { } values && values.Length != settings.Classes)
        {
            throw damaged($"'{entry}' lists {values.Length} label values for {settings.Classes} classes");
        }

        // Every weight is overwritten from the file; scoring takes the policy's mean, so the generator is never drawn from.
        var model = new RecurrentAttentionNetwork(options, shape, settings.Classes, new Random(0));
        ModelPartFiles.ReadWeights(model, folder, readEntry, damaged);
        return new RecurrentAttentionTransformer(model, settings.LabelValues);
    }
}
