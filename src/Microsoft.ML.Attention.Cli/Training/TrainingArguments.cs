using System.Globalization;

namespace Microsoft.ML.Attention.Cli.Training;

/// <summary>The options every training command shares, checked once.</summary>
/// <param name="Validation">The validation data's path, or null.</param>
/// <param name="ValidationFraction">The share held out without validation data.</param>
/// <param name="TrainTime">The budget in seconds.</param>
/// <param name="MaxModels">The most trials, or null.</param>
internal sealed record TrainingArguments(string? Validation, double ValidationFraction, uint TrainTime, int? MaxModels)
{
    /// <summary>Throws a <see cref="CliException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (TrainTime == 0)
        {
            throw new CliException("--train-time: give at least one second.");
        }

        if (!(ValidationFraction > 0 && ValidationFraction < 1))
        {
            throw new CliException($"--validation-fraction: {ValidationFraction.ToString(CultureInfo.InvariantCulture)} is not between 0 and 1.");
        }

        if (MaxModels is <= 0)
        {
            throw new CliException($"--max-models: {MaxModels} is not a positive number of trials.");
        }
    }

    /// <summary>The candidates a <c>--trainers</c> list names.</summary>
    /// <exception cref="CliException">An unknown name, or none.</exception>
    public static string[] Candidates(string list, IReadOnlyDictionary<string, string> known)
    {
        string[] candidates = [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t =>
            known.TryGetValue(t, out string? c) ? c : throw new CliException($"--trainers: '{t}' is not one of {string.Join(", ", known.Keys)}."))];
        return candidates.Length > 0 ? candidates : throw new CliException($"--trainers: name at least one of {string.Join(", ", known.Keys)}.");
    }
}
