using System.Reflection;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Tests.Pipeline;

/// <summary>
/// Keeps the stand-in honest: its public surface equals the checked-in list (src/Microsoft.ML.StandIn/PublicSurface.txt,
/// reviewed against ML.NET), its namespaces are ML.NET's, its assembly name is none of ML.NET's, what ML.NET keeps
/// internal is internal, and the pack's shim reaches those internals.
/// </summary>
[TestClass]
public sealed class StandInSurfaceTests
{
    private static readonly Assembly StandIn = typeof(MLContext).Assembly;

    private static readonly HashSet<string> MLNetNamespaces =
    [
        "Microsoft.ML", "Microsoft.ML.Data", "Microsoft.ML.Runtime", "Microsoft.ML.Transforms", "Microsoft.ML.Transforms.Text",
        "Microsoft.ML.Trainers", "Microsoft.ML.Calibrators",
    ];

    private static bool IsStandIn => StandIn.GetName().Name == "Microsoft.ML.StandIn";

    [TestMethod]
    public void AssemblyName_IsNoneOfMLNets_AndNamespacesAreMLNets()
    {
        if (!IsStandIn)
        {
            Assert.Inconclusive("Built against the real Microsoft.ML package.");
        }
        var namespaces = StandIn.GetExportedTypes().Select(t => t.Namespace!).Distinct().ToList();
        CollectionAssert.IsSubsetOf(namespaces, MLNetNamespaces.ToList(), "namespaces: " + string.Join(", ", namespaces));
    }

    [TestMethod]
    public void PublicSurface_EqualsTheCheckedInList()
    {
        if (!IsStandIn)
        {
            Assert.Inconclusive("Built against the real Microsoft.ML package.");
        }
        var actual = Surface(StandIn);
        string listPath = Path.Combine(AppContext.BaseDirectory, "StandIn", "PublicSurface.txt");
        File.WriteAllLines(Path.Combine(AppContext.BaseDirectory, "PublicSurface.actual.txt"), actual);
        Assert.IsTrue(File.Exists(listPath), $"The checked-in surface list is missing: {listPath}");
        var expected = File.ReadAllLines(listPath).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var extra = actual.Except(expected).ToList();
        var missing = expected.Except(actual).ToList();
        Assert.AreEqual(0, extra.Count + missing.Count,
            $"Public surface changed. Not in the list ({extra.Count}): {string.Join(" | ", extra.Take(20))}. In the list but gone ({missing.Count}): {string.Join(" | ", missing.Take(20))}.");
    }

    [TestMethod]
    public void WhatMLNetKeepsInternal_IsInternal()
    {
        Assert.IsFalse(typeof(SchemaShape.Column).GetConstructors().Any(), "SchemaShape.Column has no public constructor");
        var saveMembers = typeof(ModelSaveContext).GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Select(m => m.Name).ToList();
        CollectionAssert.AreEquivalent(new[] { "Dispose" }, saveMembers, "ModelSaveContext exposes only Dispose");
        var catalogInterface = typeof(TransformsCatalog).GetInterfaces().Single(i => i.Name == "IInternalCatalog");
        Assert.IsFalse(catalogInterface.IsPublic);
        foreach (var catalog in new[] { typeof(TransformsCatalog), typeof(DataOperationsCatalog), typeof(ModelOperationsCatalog), typeof(MulticlassClassificationCatalog) })
            Assert.IsFalse(catalog.GetConstructors().Any(), $"{catalog.Name} has no public constructor");
        Assert.IsFalse(typeof(DataViewSchema.Column).GetConstructors().Any());
        Assert.IsFalse(typeof(TrainerInfo).GetConstructors().Any());
    }

    [TestMethod]
    public void PackShim_CreatesSchemaColumns_AndFindsTheCatalogEnvironment()
    {
        var column = MLNetInternals.CreateColumn("Encoded", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, isKey: false);
        Assert.AreEqual("Encoded", column.Name);
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, column.Kind);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MLNetInternals.CreateColumn("Bad", SchemaShape.Column.VectorKind.Scalar, new KeyDataViewType(typeof(uint), 3), isKey: true));
        Assert.IsNotNull(e.ParamName);

        var messages = new List<string>();
        var mlContext = new MLContext(seed: 1);
        mlContext.Log += (_, args) => messages.Add(args.Message);
        IHostEnvironment env = MLNetInternals.GetEnvironment(mlContext.Transforms);
        using (var ch = env.Start("ShimTest"))
            ch.Info(MessageSensitivity.None, "hello from the pack");
        Assert.IsTrue(messages.Any(m => m.Contains("hello from the pack")), "channel messages reach MLContext.Log");
        Assert.IsNotNull(MLNetInternals.GetEnvironment(mlContext.MulticlassClassification.Trainers));
    }

    /// <summary>One line per public type and per public or protected member, with parameter names and defaults.</summary>
    internal static List<string> Surface(Assembly assembly)
    {
        var lines = new List<string>();
        const BindingFlags Flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetExportedTypes())
        {
            string name = TypeName(type);
            string kind = type.IsInterface ? "interface" : type.IsEnum ? "enum" : type.IsValueType ? "struct" : type.IsAbstract && type.IsSealed ? "static class" : type.IsAbstract ? "abstract class" : "class";
            string bases = type.BaseType != null && type.BaseType != typeof(object) && type.BaseType != typeof(ValueType) && type.BaseType != typeof(Enum) ? " : " + TypeName(type.BaseType) : "";
            lines.Add($"{kind} {name}{bases}");
            foreach (var member in type.GetMembers(Flags))
            {
                bool visible = member switch
                {
                    MethodBase m => (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly) && !(m is MethodInfo mi && mi.IsSpecialName && (mi.Name.StartsWith("get_") || mi.Name.StartsWith("set_") || mi.Name.StartsWith("add_") || mi.Name.StartsWith("remove_"))),
                    FieldInfo f => (f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly) && !f.IsSpecialName,
                    PropertyInfo p => p.GetAccessors(true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
                    EventInfo e => e.AddMethod?.IsPublic == true,
                    _ => false,
                };
                if (!visible)
                    continue;
                lines.Add($"  {name}::{Describe(member)}");
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static string Describe(MemberInfo member) => member switch
    {
        ConstructorInfo c => $".ctor({Parameters(c.GetParameters())})",
        MethodInfo m => $"{m.Name}{(m.IsGenericMethod ? "<" + string.Join(",", m.GetGenericArguments().Select(a => a.Name)) + ">" : "")}({Parameters(m.GetParameters())}) : {TypeName(m.ReturnType)}",
        FieldInfo f => $"{f.Name} : {TypeName(f.FieldType)}{(f.IsLiteral ? " = " + f.GetRawConstantValue() : "")}",
        PropertyInfo p => $"{p.Name} : {TypeName(p.PropertyType)}{(p.GetIndexParameters().Length > 0 ? " [" + Parameters(p.GetIndexParameters()) + "]" : "")}",
        EventInfo e => $"event {e.Name} : {TypeName(e.EventHandlerType!)}",
        _ => member.Name,
    };

    private static string Parameters(ParameterInfo[] parameters) => string.Join(", ", parameters.Select(p =>
        $"{(p.IsOut ? "out " : p.ParameterType.IsByRef ? "ref " : "")}{TypeName(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : "")}"));

    private static string TypeName(Type type)
    {
        if (type.IsByRef)
            return TypeName(type.GetElementType()!);
        if (type.IsArray)
            return TypeName(type.GetElementType()!) + "[]";
        if (type.IsGenericParameter)
            return type.Name;
        string name = type.IsNested ? TypeName(type.DeclaringType!) + "." + type.Name : type.Namespace + "." + type.Name;
        if (type.IsGenericType)
        {
            int tick = name.IndexOf('`');
            if (tick >= 0)
                name = name[..tick] + name[(name.IndexOf('.', tick) is int dot and >= 0 ? dot : name.Length)..];
            name += "<" + string.Join(",", type.GetGenericArguments().Select(TypeName)) + ">";
        }
        return name;
    }
}
