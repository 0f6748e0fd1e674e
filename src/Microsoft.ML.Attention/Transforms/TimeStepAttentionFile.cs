using System.Text.Json;
using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// A <see cref="TimeStepAttentionTransformer"/> in a model file: <c>settings.json</c> (version, options, steps, outputs,
/// label values) and <c>weights.safetensors</c>. Every value read back is checked before a model is built.
/// </summary>
internal static class TimeStepAttentionFile
{
    /// <summary>The settings version this build writes and reads.</summary>
    public const int Version = 2; // 2: the learned step scores (TimeStepAttentionOptions.StepBias)

    public static void Write(TimeStepAttentionTransformer transformer, string folder, Action<string, byte[]> add)
    {
        var settings = new TimeStepAttentionFileSettings(Version, transformer.Options, transformer.Steps, transformer.Model.Outputs, transformer.LabelValues);
        add($"{folder}/{ModelPartFiles.SettingsName}", JsonSerializer.SerializeToUtf8Bytes(settings, AttentionFileJson.Default.TimeStepAttentionFileSettings));
        ModelPartFiles.WriteWeights(transformer.Model, folder, add);
    }

    /// <summary>Rebuilds the transformer from its entries; <paramref name="damaged"/> makes the exception for anything wrong.</summary>
    public static TimeStepAttentionTransformer Read(string folder, Func<string, byte[]> readEntry, Func<string, Exception> damaged)
    {
        string entry = $"{folder}/{ModelPartFiles.SettingsName}";
        TimeStepAttentionFileSettings settings = ModelPartFiles.ReadSettings(folder, TimeStepAttentionEstimator.Owner, Version, AttentionFileJson.Default.TimeStepAttentionFileSettings, readEntry, damaged);
        TimeStepAttentionOptions options = settings.Options ?? throw damaged($"'{entry}' has no options");
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException invalid)
        {
            throw damaged($"'{entry}' is inconsistent: {invalid.Message}");
        }

        const long limit = 1L << 30;
        long h = options.HiddenSize;
        if (settings.Steps <= 0 || (long)settings.Steps * options.StepSize > limit || settings.Outputs <= 0 || settings.Outputs > 1 << 16
            || 8 * h * (h + options.StepSize) > limit || 2 * h * options.AttentionDimension > limit)
        {
            throw damaged($"'{entry}' is inconsistent: {settings.Steps} steps of {options.StepSize}, {settings.Outputs} outputs, hidden {h}, attention {options.AttentionDimension}");
        }

        if (settings.Outputs == 1 ? settings.LabelValues is not null : settings.Outputs < 2 || (settings.LabelValues is { } values && values.Length != settings.Outputs))
        {
            throw damaged($"'{entry}' lists {settings.LabelValues?.Length.ToString() ?? "no"} label values for {settings.Outputs} outputs");
        }

        // Every weight is overwritten from the file; scoring draws no dropout.
        var model = new TimeStepAttentionModel(options, settings.Steps, settings.Outputs, new Random(0));
        ModelPartFiles.ReadWeights(model, folder, readEntry, damaged);
        return new TimeStepAttentionTransformer(model, settings.LabelValues);
    }
}
