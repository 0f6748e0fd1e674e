using Microsoft.ML.Attention.Serialization;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Tests.Support;

/// <summary>A PyTorch fixture written by Fixtures/generate_fixtures.py.</summary>
internal sealed class Fixture
{
    private readonly Dictionary<string, Tensor> _tensors;

    private Fixture(string name, Dictionary<string, Tensor> tensors)
    {
        Name = name;
        _tensors = tensors;
    }

    internal string Name { get; }

    internal static Fixture Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", name + ".safetensors");
        return new Fixture(name, SafeTensors.Load(path));
    }

    internal Tensor this[string key] => _tensors.TryGetValue(key, out Tensor? t)
        ? t
        : throw new KeyNotFoundException($"Fixture '{Name}' has no tensor '{key}'. It has: {string.Join(", ", _tensors.Keys)}.");

    internal bool Has(string key) => _tensors.ContainsKey(key);

    /// <summary>The module parameters and buffers (prefix "param." removed).</summary>
    internal Dictionary<string, Tensor> Parameters() => _tensors
        .Where(kv => kv.Key.StartsWith("param.", StringComparison.Ordinal))
        .ToDictionary(kv => kv.Key["param.".Length..], kv => kv.Value);

    /// <summary>An input as a leaf tensor that requires grad.</summary>
    internal Tensor Input(string name)
    {
        Tensor t = this["input." + name].Clone();
        t.RequiresGrad = true;
        return t;
    }

    internal int[] IntInput(string name) => [.. this["input." + name].ToArray().Select(v => (int)v)];
}
