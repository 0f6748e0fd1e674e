using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// How the pack binds to the two members real ML.NET keeps internal. (1) The <see cref="SchemaShape.Column"/>
/// constructor, which an estimator needs to describe its new columns in <c>GetOutputSchema</c>: found by reflection
/// (its signature is unchanged since ML.NET 1.0); when it is not found, the same columns come from public API only,
/// through <see cref="PublicSchemaColumns"/>. (2) The environment behind a catalog (<c>IInternalCatalog.Environment</c>,
/// namespace <c>Microsoft.ML.Data</c>), which <c>mlContext.Transforms.AttentionEncode</c> needs for the context's seed
/// and log: when it cannot be reached, the error names the fully public entry <c>mlContext.Attention()</c>; a fresh
/// context is never made up in its place.
/// </summary>
internal static class MLNetInternals
{
    private static readonly Lazy<ConstructorInfo?> ColumnConstructor = new(() =>
        typeof(SchemaShape.Column).GetConstructor(
            BindingFlags.NonPublic | BindingFlags.Instance,
            binder: null,
            [typeof(string), typeof(SchemaShape.Column.VectorKind), typeof(DataViewType), typeof(bool), typeof(SchemaShape)],
            modifiers: null));

    /// <summary>What a test asks to be treated as missing, for the code running in its async flow only.</summary>
    private static readonly AsyncLocal<Simulation?> Simulated = new();

    /// <summary>True when the reflective column constructor is used; false when the public-only route is.</summary>
    internal static bool UsesColumnConstructor => ColumnConstructor.Value is not null && Simulated.Value?.NoColumnConstructor != true;

    /// <summary>Schema-shape columns as ML.NET's own estimators create them, by whichever route this ML.NET allows.</summary>
    public static IEnumerable<SchemaShape.Column> CreateColumns(IReadOnlyList<OutputColumn> columns) =>
        UsesColumnConstructor ? columns.Select(CreateColumnByConstructor) : PublicSchemaColumns.Create(columns);

    /// <summary>The input schema with <paramref name="added"/> appended, replacing input columns of the same names (as ML.NET's estimators do).</summary>
    public static SchemaShape Extend(SchemaShape inputSchema, IReadOnlyList<OutputColumn> added)
    {
        var columns = inputSchema.Where(c => added.All(a => a.Name != c.Name)).ToList();
        columns.AddRange(CreateColumns(added));
        return new SchemaShape(columns);
    }

    /// <summary>One column through the internal constructor (which also validates the arguments as ML.NET does).</summary>
    internal static SchemaShape.Column CreateColumnByConstructor(OutputColumn column)
    {
        ConstructorInfo constructor = ColumnConstructor.Value
            ?? throw new MissingMemberException("ML.NET's internal SchemaShape.Column(string, VectorKind, DataViewType, bool, SchemaShape) constructor was not found.");
        string[] kinds = [.. column.TextVectorAnnotations];
        SchemaShape? annotations = kinds.Length > 0
            ? new SchemaShape(kinds.Select(kind => CreateColumnByConstructor(new OutputColumn(kind, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false))))
            : null;
        try
        {
            return (SchemaShape.Column)constructor.Invoke([column.Name, column.Kind, column.ItemType, column.IsKey, annotations]);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    /// <summary>
    /// The environment a catalog (e.g. <c>mlContext.Transforms</c>) was created with: the <c>MLContext</c> itself, so the
    /// pack's seed and log are the context's.
    /// </summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="method">The pack method asking, named in the error together with its public equivalent.</param>
    /// <exception cref="InvalidOperationException">The environment cannot be reached in this ML.NET; the message names the public entry.</exception>
    public static IHostEnvironment GetEnvironment(object catalog, string method)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        string? problem = null;
        IHostEnvironment? environment = null;
        if (Simulated.Value?.NoCatalogEnvironment == true)
        {
            problem = "the internal interface IInternalCatalog was not found (simulated)";
        }
        else
        {
            Type? contract = catalog.GetType().GetInterfaces().FirstOrDefault(i => i.Name == "IInternalCatalog" && i.Namespace is "Microsoft.ML.Data" or "Microsoft.ML");
            PropertyInfo? property = contract?.GetProperty("Environment", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance);
            if (contract is null)
            {
                problem = $"{catalog.GetType().Name} does not implement the internal interface IInternalCatalog";
            }
            else if (property is null || !typeof(IHostEnvironment).IsAssignableFrom(property.PropertyType))
            {
                problem = "the internal property IInternalCatalog.Environment was not found";
            }
            else
            {
                environment = property.GetValue(catalog) as IHostEnvironment;
                problem = environment is null ? "IInternalCatalog.Environment returned no environment" : null;
            }
        }

        return environment ?? throw new InvalidOperationException(
            $"{method}: the MLContext behind {catalog.GetType().Name} cannot be reached in this version of ML.NET " +
            $"({typeof(MLContext).Assembly.GetName().Version}): {problem}. Use the fully public entry instead, mlContext.Attention().{method}(...), " +
            "which takes the MLContext itself so that its seed and log are kept.");
    }

    /// <summary>
    /// The schema shape of a schema's visible columns (as ML.NET's internal <c>SchemaShape.Create</c> makes it), for checking
    /// an estimator's <c>GetOutputSchema</c> against real data.
    /// </summary>
    public static SchemaShape ShapeOf(DataViewSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var columns = new List<OutputColumn>();
        foreach (DataViewSchema.Column c in schema)
        {
            if (c.IsHidden)
            {
                continue;
            }

            DataViewType item = c.Type is VectorDataViewType v ? v.ItemType : c.Type;
            SchemaShape.Column.VectorKind kind = c.Type is VectorDataViewType vector
                ? vector.IsKnownSize ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector
                : SchemaShape.Column.VectorKind.Scalar;
            bool isKey = item is KeyDataViewType;
            bool TextVector(string annotation) => c.Annotations.Schema.GetColumnOrNull(annotation)?.Type is VectorDataViewType { ItemType: TextDataViewType, IsKnownSize: true };
            columns.Add(new OutputColumn(c.Name, kind, isKey ? RawKeyType((KeyDataViewType)item) : item, isKey,
                TextVector(OutputColumn.SlotNames), isKey && TextVector(OutputColumn.KeyValues)));
        }

        return new SchemaShape(CreateColumns(columns));
    }

    private static DataViewType RawKeyType(KeyDataViewType key) => Type.GetTypeCode(key.RawType) switch
    {
        TypeCode.Byte => NumberDataViewType.Byte,
        TypeCode.UInt16 => NumberDataViewType.UInt16,
        TypeCode.UInt32 => NumberDataViewType.UInt32,
        _ => NumberDataViewType.UInt64,
    };

    /// <summary>Runs the calling flow as if this ML.NET lacked the named internals (tests of the fallbacks).</summary>
    internal static IDisposable Simulate(bool noColumnConstructor = false, bool noCatalogEnvironment = false)
    {
        Simulation? previous = Simulated.Value;
        Simulated.Value = new Simulation(noColumnConstructor, noCatalogEnvironment);
        return new Restore(previous);
    }

    private sealed record Simulation(bool NoColumnConstructor, bool NoCatalogEnvironment);

    private sealed class Restore(Simulation? previous) : IDisposable
    {
        public void Dispose() => Simulated.Value = previous;
    }
}
