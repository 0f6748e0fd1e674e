using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// The pack's only way to two members ML.NET keeps internal, identically against the stand-in and the real package:
/// the <see cref="SchemaShape.Column"/> constructor (an estimator must describe its new output columns) and the
/// environment behind a catalog (<c>IInternalCatalog.Environment</c>). Both are looked up by their ML.NET names and
/// signatures; if a future ML.NET changes them, the first use fails with a message that says which one.
/// </summary>
internal static class MLNetInternals
{
    private static readonly Lazy<ConstructorInfo> ColumnConstructor = new(() =>
        typeof(SchemaShape.Column).GetConstructor(
            BindingFlags.NonPublic | BindingFlags.Instance,
            binder: null,
            new[] { typeof(string), typeof(SchemaShape.Column.VectorKind), typeof(DataViewType), typeof(bool), typeof(SchemaShape) },
            modifiers: null)
        ?? throw new MissingMemberException(
            "ML.NET's internal SchemaShape.Column(string, VectorKind, DataViewType, bool, SchemaShape) constructor was not found; this ML.NET version is not supported."));

    /// <summary>A schema-shape column, as ML.NET's own estimators create them.</summary>
    public static SchemaShape.Column CreateColumn(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey, SchemaShape? annotations = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(itemType);
        try
        {
            return (SchemaShape.Column)ColumnConstructor.Value.Invoke(new object?[] { name, kind, itemType, isKey, annotations });
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    /// <summary>The environment a catalog (e.g. <c>mlContext.Transforms</c>) was created with.</summary>
    public static IHostEnvironment GetEnvironment(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var contract = catalog.GetType().GetInterfaces().FirstOrDefault(i => i.Name == "IInternalCatalog" && i.Namespace == "Microsoft.ML")
            ?? throw new MissingMemberException($"{catalog.GetType().Name} does not implement ML.NET's internal IInternalCatalog; this ML.NET version is not supported.");
        var property = contract.GetProperty("Environment", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new MissingMemberException("ML.NET's internal IInternalCatalog.Environment property was not found; this ML.NET version is not supported.");
        return property.GetValue(catalog) as IHostEnvironment
            ?? throw new InvalidOperationException($"The catalog {catalog.GetType().Name} returned no environment.");
    }
}
