using Microsoft.ML.Attention.Cli.Data;

namespace Microsoft.ML.Attention.Cli.Training;

/// <summary>What a training command (<c>text-classification</c>, <c>image-classification</c>) hands to <see cref="ClassificationRun"/>.</summary>
/// <param name="Task">The task (<see cref="Output.ModelInfo.TextTask"/> or <see cref="Output.ModelInfo.ImageTask"/>).</param>
/// <param name="Data">The training data.</param>
/// <param name="Validation">Validation data, or null to hold out <paramref name="ValidationFraction"/>.</param>
/// <param name="ValidationSource">Where the validation data came from (for the report), or null.</param>
/// <param name="ValidationFraction">The share held out when there is no validation data.</param>
/// <param name="TrainTime">The sweep's budget in seconds.</param>
/// <param name="MaxModels">The most trials, or null.</param>
/// <param name="Output">The output folder.</param>
/// <param name="Name">The consuming project's name, or null for the output folder's.</param>
/// <param name="Seed">The seed of the split, the tuners and the trials.</param>
/// <param name="PackageSource">A NuGet source for the consuming project, or null.</param>
internal sealed record ClassificationSettings(
    string Task, LabeledDataset Data, LabeledDataset? Validation, string? ValidationSource, double ValidationFraction, uint TrainTime, int? MaxModels,
    string Output, string? Name, int Seed, string? PackageSource);
