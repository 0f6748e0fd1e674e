namespace Microsoft.ML.Attention.Nn;

/// <summary>An ordered list of child modules named 0, 1, 2… (PyTorch <c>nn.ModuleList</c>).</summary>
public sealed class ModuleList : Module
{
    private readonly List<Module> _items = [];

    /// <summary>The modules, in order.</summary>
    public IReadOnlyList<Module> Items => _items;

    /// <summary>Appends <paramref name="module"/> under the next index.</summary>
    public T Add<T>(T module)
        where T : Module
    {
        RegisterModule(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _items.Add(module);
        return module;
    }
}
