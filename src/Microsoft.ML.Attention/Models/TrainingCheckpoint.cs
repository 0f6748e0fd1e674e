using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Serialization;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// A training run's state at the end of an epoch, in one safetensors file: the model's weights (<c>model.*</c>), the
/// optimizer's state (<c>optimizer.*</c>: step count and Adam's moments), the early-stopping monitor's best weights
/// (<c>best.*</c>), the weight average when there is one (<c>average.*</c>), and as metadata the epoch, the generator's state, the monitor's best score and patience count, the
/// epochs reported so far, and a fingerprint of the run (options, data size, vocabulary, outputs) that a resume must
/// match. Written beside the target and moved over it, so a process killed while writing leaves the previous checkpoint.
/// </summary>
internal sealed class TrainingCheckpoint
{
    private const string Format = "microsoft-ml-attention-checkpoint/1";

    private TrainingCheckpoint(int epoch, ulong[] generator, double best, int stale, EpochReport[] history,
        Dictionary<string, Tensor> model, Dictionary<string, Tensor> optimizer, Dictionary<string, float[]>? bestWeights, Dictionary<string, Tensor> average, int averageUpdates)
    {
        Average = average;
        AverageUpdates = averageUpdates;
        Epoch = epoch;
        Generator = generator;
        Best = best;
        Stale = stale;
        History = history;
        Model = model;
        Optimizer = optimizer;
        BestWeights = bestWeights;
    }

    /// <summary>The last epoch completed.</summary>
    public int Epoch { get; }

    public ulong[] Generator { get; }

    public double Best { get; }

    public int Stale { get; }

    public EpochReport[] History { get; }

    public Dictionary<string, Tensor> Model { get; }

    public Dictionary<string, Tensor> Optimizer { get; }

    public Dictionary<string, float[]>? BestWeights { get; }

    /// <summary>The weight average's raw averages by parameter index (<c>average.{i}</c>), empty without one.</summary>
    public Dictionary<string, Tensor> Average { get; }

    public int AverageUpdates { get; }

    /// <summary>Writes the state after <paramref name="epoch"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, string fingerprint, int epoch, Module model, Optimizer optimizer, EarlyStopping? stopping, StatefulRandom generator,
        IReadOnlyList<EpochReport> history, ExponentialMovingAverage? average = null)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach ((string name, Tensor t) in model.StateDict())
        {
            tensors["model." + name] = t;
        }

        foreach ((string name, Tensor t) in optimizer.StateDict())
        {
            tensors["optimizer." + name] = t;
        }

        (double best, int stale, IReadOnlyDictionary<string, float[]>? bestWeights) = stopping?.SaveState() ?? (double.PositiveInfinity, 0, null);
        foreach ((string name, float[] w) in bestWeights ?? new Dictionary<string, float[]>())
        {
            tensors["best." + name] = Tensor.FromArray(w, w.Length);
        }

        int averageUpdates = 0;
        if (average is not null)
        {
            (IReadOnlyList<float[]> averages, averageUpdates) = average.SaveState();
            for (int i = 0; i < averages.Count; i++)
            {
                tensors[$"average.{i}"] = Tensor.FromArray(averages[i], averages[i].Length);
            }
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["average_updates"] = averageUpdates.ToString(CultureInfo.InvariantCulture),
            ["format"] = Format,
            ["fingerprint"] = fingerprint,
            ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
            ["generator"] = string.Join(",", generator.State.Select(w => w.ToString("x16", CultureInfo.InvariantCulture))),
            ["best"] = best.ToString("R", CultureInfo.InvariantCulture),
            ["stale"] = stale.ToString(CultureInfo.InvariantCulture),
            ["has_best"] = bestWeights is null ? "false" : "true",
            ["history"] = JsonSerializer.Serialize(history),
        };
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                SafeTensors.Write(stream, tensors, metadata);
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

    /// <summary>The checkpoint at <paramref name="path"/>, or null when there is none.</summary>
    /// <exception cref="InvalidDataException">The file is damaged, of another format, or from another run (fingerprint); the message names the file.</exception>
    public static TrainingCheckpoint? Load(string path, string fingerprint)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        Dictionary<string, Tensor> tensors = SafeTensors.Load(path, out Dictionary<string, string> metadata);
        string Meta(string key) => metadata.TryGetValue(key, out string? v) ? v : throw new InvalidDataException($"The checkpoint '{path}' has no '{key}' entry; it is not a training checkpoint of this pack.");
        if (Meta("format") != Format)
        {
            throw new InvalidDataException($"The checkpoint '{path}' is of format '{Meta("format")}'; this version reads '{Format}'.");
        }

        if (Meta("fingerprint") != fingerprint)
        {
            throw new InvalidDataException(
                $"The checkpoint '{path}' was written by another training run (other options, data, vocabulary or outputs), so it cannot be resumed here. " +
                "Delete it, or point CheckpointDirectory at another folder, to start afresh.");
        }

        try
        {
            ulong[] generator = [.. Meta("generator").Split(',').Select(w => ulong.Parse(w, NumberStyles.HexNumber, CultureInfo.InvariantCulture))];
            EpochReport[] history = JsonSerializer.Deserialize<EpochReport[]>(Meta("history")) ?? [];
            return new TrainingCheckpoint(
                int.Parse(Meta("epoch"), CultureInfo.InvariantCulture), generator,
                double.Parse(Meta("best"), CultureInfo.InvariantCulture), int.Parse(Meta("stale"), CultureInfo.InvariantCulture), history,
                Part(tensors, "model."), Part(tensors, "optimizer."),
                Meta("has_best") == "true" ? Part(tensors, "best.").ToDictionary(p => p.Key, p => p.Value.ToArray()) : null,
                Part(tensors, "average."), int.Parse(Meta("average_updates"), CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is FormatException or OverflowException or JsonException)
        {
            throw new InvalidDataException($"The checkpoint '{path}' is damaged: {e.Message}", e);
        }
    }

    /// <summary>
    /// Where a run starts: with a checkpoint at <paramref name="checkpoint"/>'s path (and its Resume set), the model,
    /// optimizer, monitor, generator and average are put back, its epoch reports replayed into
    /// <paramref name="history"/> and <paramref name="progress"/>, and the epoch after it returned (past
    /// <paramref name="epochs"/> when the run had already stopped early); otherwise 1.
    /// </summary>
    public static int Resume(TrainingLoop.Checkpointing? checkpoint, Module model, Optimizer optimizer, EarlyStopping? stopping, StatefulRandom generator,
        ExponentialMovingAverage? average, bool validates, int epochs, List<EpochReport> history, Action<EpochReport>? progress)
    {
        if (checkpoint is null || !checkpoint.Resume || Load(checkpoint.Path, checkpoint.Fingerprint) is not { } saved)
        {
            return 1;
        }

        saved.Restore(checkpoint.Path, model, optimizer, stopping, generator, average);
        foreach (EpochReport report in saved.History)
        {
            history.Add(report);
            progress?.Invoke(report);
        }

        return validates && stopping is { ShouldStop: true } ? epochs + 1 : saved.Epoch + 1;
    }

    /// <summary>Puts the model, optimizer, monitor and generator back as they were at the end of <see cref="Epoch"/>.</summary>
    /// <exception cref="InvalidDataException">The state does not fit the model; the message names the file.</exception>
    public void Restore(string path, Module model, Optimizer optimizer, EarlyStopping? stopping, StatefulRandom generator, ExponentialMovingAverage? average = null)
    {
        try
        {
            if (average is not null)
            {
                int count = model.Parameters().Count();
                average.LoadState([.. Enumerable.Range(0, count).Select(i => Average.TryGetValue(i.ToString(CultureInfo.InvariantCulture), out Tensor? t)
                    ? t.ToArray() : throw new ArgumentException($"the weight average of parameter {i} is missing"))], AverageUpdates);
            }

            model.LoadStateDict(Model);
            optimizer.LoadStateDict(Optimizer);
            stopping?.LoadState(Best, Stale, BestWeights);
            generator.Restore(Generator);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The checkpoint '{path}' does not fit this model: {e.Message}", e);
        }
    }

    private static Dictionary<string, Tensor> Part(Dictionary<string, Tensor> tensors, string prefix) =>
        tensors.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(p => p.Key[prefix.Length..], p => p.Value, StringComparer.Ordinal);
}
