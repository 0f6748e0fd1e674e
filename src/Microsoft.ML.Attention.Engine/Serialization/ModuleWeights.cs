using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Serialization;

/// <summary>Saving and loading a module's weights as a safetensors file with PyTorch <c>state_dict</c> names.</summary>
public static class ModuleWeights
{
    /// <summary>
    /// Writes the module's parameters and buffers to <paramref name="path"/> (atomically). The file loads in
    /// PyTorch with <c>safetensors.torch.load_file</c> followed by <c>load_state_dict</c>.
    /// </summary>
    public static void SaveWeights(this Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        SafeTensors.Save(path, module.StateDict(), new Dictionary<string, string> { ["format"] = "pt" });
    }

    /// <summary>
    /// Loads weights written by <see cref="SaveWeights"/> or by PyTorch's <c>safetensors.torch.save_file(model.state_dict())</c>.
    /// PyTorch's integer <c>num_batches_tracked</c> buffers are skipped.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is damaged.</exception>
    /// <exception cref="ArgumentException">Names or shapes do not match the module (with <paramref name="strict"/>, also missing or extra names); the module is unchanged.</exception>
    public static void LoadWeights(this Module module, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        Dictionary<string, Tensor> state = SafeTensors.Load(path);
        foreach (string key in state.Keys.Where(k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal) || k == "num_batches_tracked").ToList())
        {
            state.Remove(key);
        }

        try
        {
            module.LoadStateDict(state, strict);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"'{path}' does not fit {module.GetType().Name}: {e.Message}", nameof(path), e);
        }
    }
}
