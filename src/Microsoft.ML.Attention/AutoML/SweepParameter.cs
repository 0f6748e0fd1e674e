using System.Globalization;
using System.Reflection;
using Microsoft.ML.SearchSpace;

namespace Microsoft.ML.Attention.AutoML;

/// <summary>
/// One dimension of a search space, read from a property's <see cref="RangeAttribute"/>, <see cref="ChoiceAttribute"/>
/// or <see cref="BooleanChoiceAttribute"/> (ML.NET's search-space attributes). Tuners see every dimension as the unit
/// interval [0, 1]: a range maps linearly (or on a log scale when <c>logBase</c> is set), choices map to equal slices.
/// </summary>
public sealed class SweepParameter
{
    private readonly object[] _candidates;
    private readonly double _min;
    private readonly double _max;

    private SweepParameter(PropertyInfo property, double min, double max, bool log, object initial, object[] candidates)
    {
        Property = property;
        _min = min;
        _max = max;
        IsLogScale = log;
        Initial = initial;
        _candidates = candidates;
    }

    /// <summary>The property's name.</summary>
    public string Name => Property.Name;

    /// <summary>The value a first trial uses: the attribute's initial value, or the range's low end, or the first choice.</summary>
    public object Initial { get; }

    /// <summary>True for a choice (or Boolean) dimension, false for a range.</summary>
    public bool IsChoice => _candidates.Length > 0;

    /// <summary>The choices, empty for a range.</summary>
    public IReadOnlyList<object> Candidates => _candidates;

    /// <summary>Whether a range is searched on a log scale.</summary>
    public bool IsLogScale { get; }

    internal PropertyInfo Property { get; }

    /// <summary>The dimension of <paramref name="property"/>, or null when it carries no search-space attribute.</summary>
    internal static SweepParameter? Of(PropertyInfo property)
    {
        Type type = property.PropertyType;
        if (property.GetCustomAttribute<BooleanChoiceAttribute>() is { } flag)
        {
            Require(type == typeof(bool), property, "a BooleanChoice needs a bool property");
            return new SweepParameter(property, 0, 1, false, flag.DefaultValue, [false, true]);
        }

        if (property.GetCustomAttribute<ChoiceAttribute>() is { } choice)
        {
            object[] candidates = [.. choice.Candidates.Select(c => Convert(c, type, property))];
            Require(candidates.Length > 0, property, "a Choice needs at least one candidate");
            object initial = choice.DefaultValue is null ? candidates[0] : Convert(choice.DefaultValue, type, property);
            Require(candidates.Contains(initial), property, $"the default {initial} is not among the candidates");
            return new SweepParameter(property, 0, 1, false, initial, candidates);
        }

        if (property.GetCustomAttribute<RangeAttribute>() is { } range)
        {
            Require(type == typeof(int) || type == typeof(float) || type == typeof(double), property, "a Range needs an int, float or double property");
            double min = ToDouble(range.Min), max = ToDouble(range.Max);
            Require(min < max, property, $"the range [{min}, {max}] is empty");
            Require(!range.LogBase || min > 0, property, "a log-scale range must be positive");
            double init = range.Init is null ? min : ToDouble(range.Init);
            Require(init >= min && init <= max, property, $"the initial value {init} is outside [{min}, {max}]");
            return new SweepParameter(property, min, max, range.LogBase, FromDouble(init, type), []);
        }

        return null;
    }

    /// <summary>The value at unit coordinate <paramref name="u"/> (clamped to [0, 1]).</summary>
    public object At(double u)
    {
        u = Math.Clamp(u, 0, 1);
        if (IsChoice)
        {
            return _candidates[Math.Min(_candidates.Length - 1, (int)(u * _candidates.Length))];
        }

        double value = IsLogScale ? Math.Exp(Math.Log(_min) + u * (Math.Log(_max) - Math.Log(_min))) : _min + u * (_max - _min);
        return FromDouble(Math.Clamp(value, _min, _max), Property.PropertyType);
    }

    /// <summary>The unit coordinate of <paramref name="value"/> (a choice: the middle of its slice).</summary>
    public double UnitOf(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (IsChoice)
        {
            int i = Array.IndexOf(_candidates, value);
            if (i < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), $"{Name}: {value} is not one of {string.Join(", ", _candidates)}.");
            }

            return (i + 0.5) / _candidates.Length;
        }

        double v = ToDouble(value);
        return IsLogScale ? (Math.Log(v) - Math.Log(_min)) / (Math.Log(_max) - Math.Log(_min)) : (v - _min) / (_max - _min);
    }

    /// <summary>
    /// The values a grid visits: every choice, or <paramref name="steps"/> evenly spaced points of a range (whole numbers
    /// without repeats for an int range), the initial value first.
    /// </summary>
    public IReadOnlyList<object> Grid(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2);
        IEnumerable<object> points = IsChoice ? _candidates : Enumerable.Range(0, steps).Select(i => At(i / (double)(steps - 1)));
        return [.. new[] { Initial }.Concat(points).Distinct()];
    }

    /// <inheritdoc/>
    public override string ToString() => IsChoice
        ? $"{Name} ∈ {{{string.Join(", ", _candidates.Select(Format))}}}"
        : $"{Name} ∈ [{Format(FromDouble(_min, Property.PropertyType))}, {Format(FromDouble(_max, Property.PropertyType))}]{(IsLogScale ? " (log)" : "")}";

    internal static string Format(object value) => value switch
    {
        float f => f.ToString("G4", CultureInfo.InvariantCulture),
        double d => d.ToString("G4", CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static double ToDouble(object value) => System.Convert.ToDouble(value, CultureInfo.InvariantCulture);

    private static object FromDouble(double value, Type type) =>
        type == typeof(int) ? (object)(int)Math.Round(value) : type == typeof(float) ? (object)(float)value : (object)value;

    private static object Convert(object value, Type type, PropertyInfo property)
    {
        try
        {
            return type.IsEnum ? Enum.Parse(type, value.ToString()!) : System.Convert.ChangeType(value, type, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or ArgumentException or OverflowException)
        {
            throw new ArgumentException($"Search option {property.DeclaringType?.Name}.{property.Name}: the candidate {value} is not a {type.Name}.", e);
        }
    }

    private static void Require(bool ok, PropertyInfo property, string problem)
    {
        if (!ok)
        {
            throw new ArgumentException($"Search option {property.DeclaringType?.Name}.{property.Name}: {problem}.");
        }
    }
}
