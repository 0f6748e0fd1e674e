using System.Reflection;
using Microsoft.ML.SearchSpace;

namespace Microsoft.ML.Attention.AutoML;

/// <summary>
/// The search space of an options class: one <see cref="SweepParameter"/> per public settable property that carries one
/// of ML.NET's search-space attributes (properties without one keep the value the class gives them). A point of the
/// space is a set of unit coordinates, one per parameter, in name order.
/// </summary>
public sealed class SweepSpace
{
    private readonly Func<object> _create;

    private SweepSpace(Type optionsType, Func<object> create, SweepParameter[] parameters)
    {
        OptionsType = optionsType;
        _create = create;
        Parameters = parameters;
    }

    /// <summary>The options class the space describes.</summary>
    public Type OptionsType { get; }

    /// <summary>The dimensions, ordered by name.</summary>
    public IReadOnlyList<SweepParameter> Parameters { get; }

    /// <summary>The space of <typeparamref name="TOptions"/>'s attributed properties.</summary>
    /// <exception cref="ArgumentException">An attribute does not fit its property, or <c>NestOption</c> is used (not supported).</exception>
    public static SweepSpace Of<TOptions>()
        where TOptions : class, new()
    {
        var parameters = new List<SweepParameter>();
        foreach (PropertyInfo property in typeof(TOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (property.GetCustomAttribute<NestOptionAttribute>() is not null)
            {
                throw new ArgumentException($"Search option {typeof(TOptions).Name}.{property.Name}: NestOption is not supported; flatten the nested options into the class.");
            }

            if (SweepParameter.Of(property) is { } parameter)
            {
                if (property.SetMethod is not { IsPublic: true })
                {
                    throw new ArgumentException($"Search option {typeof(TOptions).Name}.{property.Name}: a searched property needs a public setter.");
                }

                parameters.Add(parameter);
            }
        }

        return new SweepSpace(typeof(TOptions), () => new TOptions(), [.. parameters]);
    }

    /// <summary>The unit coordinates of every parameter's initial value.</summary>
    public double[] InitialPoint() => [.. Parameters.Select(p => p.UnitOf(p.Initial))];

    /// <summary>The parameter values at a point (coordinates clamped to [0, 1]).</summary>
    public IReadOnlyDictionary<string, object> ValuesAt(IReadOnlyList<double> point)
    {
        ArgumentNullException.ThrowIfNull(point);
        if (point.Count != Parameters.Count)
        {
            throw new ArgumentException($"A point of this space has {Parameters.Count} coordinates; got {point.Count}.", nameof(point));
        }

        return new SortedDictionary<string, object>(Parameters.Select((p, i) => (p, i)).ToDictionary(x => x.p.Name, x => x.p.At(point[x.i])), StringComparer.Ordinal);
    }

    /// <summary>A new options object with <paramref name="values"/> set (names of this space's parameters).</summary>
    internal object Create(IReadOnlyDictionary<string, object> values)
    {
        object options = _create();
        foreach (SweepParameter parameter in Parameters)
        {
            parameter.Property.SetValue(options, values.TryGetValue(parameter.Name, out object? v) ? v : parameter.Initial);
        }

        return options;
    }
}
