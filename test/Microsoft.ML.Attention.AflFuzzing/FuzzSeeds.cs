using Microsoft.ML.Attention.Serialization;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.AflFuzzing;

/// <summary>Seed files both fuzzing harnesses start from (this project's afl targets; compiled into the test project's managed harness too).</summary>
internal static class FuzzSeeds
{
    /// <summary>A small safetensors file: two tensors and the <c>format=pt</c> metadata PyTorch writes.</summary>
    public static byte[] SafeTensorsFile()
    {
        using var stream = new MemoryStream();
        SafeTensors.Write(stream, new Dictionary<string, Tensor>
        {
            ["encoder.weight"] = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3),
            ["encoder.bias"] = Tensor.FromArray([0.5f, -0.5f], 2),
        }, new Dictionary<string, string> { ["format"] = "pt" });
        return stream.ToArray();
    }
}
