using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Microsoft.ML.Attention.Tests;

/// <summary>
/// The pack's dependencies point one way — AutoML → Catalogs → Transforms → Onnx → Models → Training → Serialization → Nn → Autograd
/// → Tensors — and only Transforms, the catalogs (namespace <c>Microsoft.ML</c>) and AutoML may touch ML.NET. Checked on both
/// compiled assemblies: every type reference made by a type in one layer (signatures, fields, base types and IL member
/// references) must name its own or a lower layer; every type and every source folder belongs to a layer; the engine
/// assembly references no ML.NET assembly at all.
/// </summary>
[TestClass]
public sealed class LayeringTests
{
    private const string Prefix = "Microsoft.ML.Attention.";

    /// <summary>Bottom to top. The catalogs are the pack's types in namespace Microsoft.ML, in folder Catalogs/.</summary>
    private static readonly string[] s_layers = ["Tensors", "Autograd", "Nn", "Serialization", "Training", "Models", "Onnx", "Transforms", "Catalogs", "AutoML"];

    private static readonly string[] s_engineLayers = ["Tensors", "Autograd", "Nn", "Serialization", "Training"];

    private static readonly Assembly s_engine = typeof(Microsoft.ML.Attention.Tensors.Tensor).Assembly;

    private static readonly Assembly s_pack = typeof(Microsoft.ML.Attention.Transforms.AttentionEncodeTransformer).Assembly;

    [TestMethod]
    public void EngineAssembly_ReferencesNoMLNetAssembly_AndThePackReferencesIt()
    {
        Assert.AreEqual("Microsoft.ML.Attention.Engine", s_engine.GetName().Name);
        string[] references = [.. s_engine.GetReferencedAssemblies().Select(a => a.Name!)];
        Assert.IsFalse(references.Any(r => r.StartsWith("Microsoft.ML", StringComparison.Ordinal)), "engine references: " + string.Join(", ", references));
        string[] packReferences = [.. s_pack.GetReferencedAssemblies().Select(a => a.Name!)];
        CollectionAssert.Contains(packReferences, "Microsoft.ML.Attention.Engine");
        CollectionAssert.Contains(packReferences, "Microsoft.ML.Data", "the checker must see the pack's ML.NET references, or it proves nothing");
    }

    [TestMethod]
    [DataRow("engine")]
    [DataRow("pack")]
    public void NamespacesOnlyReferenceLowerLayers(string which)
    {
        Assembly assembly = which == "engine" ? s_engine : s_pack;
        var violations = new List<string>();
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        MetadataReader md = pe.GetMetadataReader();
        foreach (TypeDefinitionHandle th in md.TypeDefinitions)
        {
            TypeDefinition type = md.GetTypeDefinition(th);
            string ns = OuterNamespace(md, type);
            string name = md.GetString(type.Name);
            if (ns.Length == 0 && md.GetString(Outer(md, type).Name).StartsWith('<') || ns.StartsWith("System.", StringComparison.Ordinal) || ns == "Microsoft.CodeAnalysis")
            {
                continue; // compiler-generated: <Module>, <PrivateImplementationDetails> and its nested types, attributes the compiler embeds
            }

            int level = Level(ns == "Microsoft.ML" ? OwnCatalogs : ns);
            if (level < 0 || (which == "engine") != s_engineLayers.Contains(s_layers[level]))
            {
                violations.Add($"{ns}.{name} is in no layer of the {which} assembly");
                continue;
            }

            foreach (string referenced in ReferencedNamespaces(md, type, pe))
            {
                int refLevel = Level(referenced);
                bool mlnet = refLevel < 0 && (referenced == "Microsoft.ML" || referenced.StartsWith("Microsoft.ML.", StringComparison.Ordinal));
                if (refLevel > level || (mlnet && s_layers[level] is not ("Transforms" or "Catalogs" or "AutoML")))
                {
                    violations.Add($"{ns}.{name} → {referenced}");
                }
            }
        }

        Assert.AreEqual(0, violations.Distinct().Count(), "Upward, unplaced or ML.NET references: " + string.Join("; ", violations.Distinct()));
    }

    [TestMethod]
    public void EverySourceFolder_IsALayer_AndDeclaresItsNamespace()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Attention.MLNet.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new AssertInconclusiveException("Not run from a checkout: no Attention.MLNet.sln above " + AppContext.BaseDirectory);
        }

        var problems = new List<string>();
        int files = 0;
        foreach ((string project, string[] layers) in new[] { ("Microsoft.ML.Attention.Engine", s_engineLayers), ("Microsoft.ML.Attention", s_layers.Except(s_engineLayers).ToArray()) })
        {
            string dir = Path.Combine(root, "src", project);
            foreach (string file in Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")))
            {
                files++;
                string relative = Path.GetRelativePath(dir, file);
                string folder = relative.Contains(Path.DirectorySeparatorChar) ? relative.Split(Path.DirectorySeparatorChar)[0] : "";
                if (!layers.Contains(folder))
                {
                    problems.Add($"{project}/{relative}: folder '{folder}' is not a layer of {project} ({string.Join(", ", layers)})");
                    continue;
                }

                string expected = folder == "Catalogs" ? "namespace Microsoft.ML;" : $"namespace {Prefix}{folder};";
                if (!File.ReadLines(file).Any(l => l.Trim() == expected))
                {
                    problems.Add($"{project}/{relative}: expected '{expected}'");
                }
            }
        }

        Assert.IsGreaterThan(100, files, "the checker must see the sources");
        Assert.AreEqual(0, problems.Count, string.Join("; ", problems));
    }

    [TestMethod]
    public void Checker_SeesTheReferencesItJudges()
    {
        // Guard against a checker that sees nothing: Nn must be seen referring to Autograd and Tensors, Transforms to
        // Models and to ML.NET.
        using (var stream = File.OpenRead(s_engine.Location))
        using (var pe = new PEReader(stream))
        {
            MetadataReader md = pe.GetMetadataReader();
            TypeDefinition linear = md.TypeDefinitions.Select(md.GetTypeDefinition).Single(t => md.GetString(t.Name) == "Linear" && md.GetString(t.Namespace) == "Microsoft.ML.Attention.Nn");
            CollectionAssert.IsSubsetOf(new[] { "Microsoft.ML.Attention.Autograd", "Microsoft.ML.Attention.Tensors" }, ReferencedNamespaces(md, linear, pe).ToList());
        }

        using (var stream = File.OpenRead(s_pack.Location))
        using (var pe = new PEReader(stream))
        {
            MetadataReader md = pe.GetMetadataReader();
            TypeDefinition estimator = md.TypeDefinitions.Select(md.GetTypeDefinition).Single(t => md.GetString(t.Name) == "AttentionEncodeEstimator");
            CollectionAssert.IsSubsetOf(new[] { "Microsoft.ML.Attention.Models", "Microsoft.ML.Data" }, ReferencedNamespaces(md, estimator, pe).ToList());
        }
    }

    /// <summary>How a reference to one of the pack's own types in namespace Microsoft.ML (a catalog) is told from ML.NET's.</summary>
    private const string OwnCatalogs = "(own) Microsoft.ML";

    private static int Level(string ns)
    {
        if (ns == OwnCatalogs)
        {
            return Array.IndexOf(s_layers, "Catalogs");
        }

        if (!ns.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return -1;
        }

        string first = ns[Prefix.Length..].Split('.')[0];
        return first == "Catalogs" ? -1 : Array.IndexOf(s_layers, first);
    }

    private static TypeDefinition Outer(MetadataReader md, TypeDefinition type)
    {
        while (type.IsNested)
        {
            type = md.GetTypeDefinition(type.GetDeclaringType());
        }

        return type;
    }

    private static string OuterNamespace(MetadataReader md, TypeDefinition type) => md.GetString(Outer(md, type).Namespace);

    /// <summary>The namespace of a type defined in the assembly being checked, with its own catalogs told apart from ML.NET's namespace.</summary>
    private static string OwnNamespace(MetadataReader md, TypeDefinition type) => OuterNamespace(md, type) is var ns && ns == "Microsoft.ML" ? OwnCatalogs : ns;

    private static IEnumerable<string> ReferencedNamespaces(MetadataReader md, TypeDefinition type, PEReader pe)
    {
        var handles = new List<EntityHandle>();
        if (!type.BaseType.IsNil)
        {
            handles.Add(type.BaseType);
        }

        var blobs = new List<BlobHandle>();
        foreach (FieldDefinitionHandle f in type.GetFields())
        {
            blobs.Add(md.GetFieldDefinition(f).Signature);
        }

        foreach (MethodDefinitionHandle mh in type.GetMethods())
        {
            MethodDefinition m = md.GetMethodDefinition(mh);
            blobs.Add(m.Signature);
            if (m.RelativeVirtualAddress != 0)
            {
                MethodBodyBlock body = pe.GetMethodBody(m.RelativeVirtualAddress);
                if (!body.LocalSignature.IsNil)
                {
                    blobs.Add(md.GetStandaloneSignature(body.LocalSignature).Signature);
                }

                handles.AddRange(IlTokens(body.GetILBytes()));
            }
        }

        foreach (BlobHandle blob in blobs)
        {
            handles.AddRange(SignatureTypes(md, blob));
        }

        foreach (EntityHandle h in handles)
        {
            string? ns = NamespaceOf(md, h);
            if (ns is not null)
            {
                yield return ns;
            }
        }
    }

    private static string? NamespaceOf(MetadataReader md, EntityHandle h)
    {
        switch (h.Kind)
        {
            case HandleKind.TypeReference:
                TypeReference tr = md.GetTypeReference((TypeReferenceHandle)h);
                return tr.ResolutionScope.Kind == HandleKind.TypeReference ? NamespaceOf(md, (EntityHandle)tr.ResolutionScope) : md.GetString(tr.Namespace);
            case HandleKind.TypeDefinition:
                return OwnNamespace(md, md.GetTypeDefinition((TypeDefinitionHandle)h));
            case HandleKind.MemberReference:
                return NamespaceOf(md, md.GetMemberReference((MemberReferenceHandle)h).Parent);
            case HandleKind.MethodDefinition:
                return OwnNamespace(md, md.GetTypeDefinition(md.GetMethodDefinition((MethodDefinitionHandle)h).GetDeclaringType()));
            case HandleKind.FieldDefinition:
                return OwnNamespace(md, md.GetTypeDefinition(md.GetFieldDefinition((FieldDefinitionHandle)h).GetDeclaringType()));
            case HandleKind.TypeSpecification:
                return SignatureTypes(md, md.GetTypeSpecification((TypeSpecificationHandle)h).Signature).Select(t => NamespaceOf(md, t)).FirstOrDefault(n => n is not null && n.StartsWith("Microsoft.ML", StringComparison.Ordinal));
            case HandleKind.MethodSpecification:
                return NamespaceOf(md, md.GetMethodSpecification((MethodSpecificationHandle)h).Method);
            default:
                return null;
        }
    }

    /// <summary>Type handles found in a signature blob (compressed tokens after CLASS/VALUETYPE markers).</summary>
    private static IEnumerable<EntityHandle> SignatureTypes(MetadataReader md, BlobHandle blob)
    {
        BlobReader r = md.GetBlobReader(blob);
        var found = new List<EntityHandle>();
        while (r.RemainingBytes > 0)
        {
            byte b = r.ReadByte();
            if ((b == 0x12 || b == 0x11) && r.RemainingBytes > 0)
            {
                int save = r.Offset;
                try
                {
                    found.Add(r.ReadTypeHandle());
                }
                catch (BadImageFormatException)
                {
                    r.Offset = save;
                }
            }
        }

        return found.Where(h => !h.IsNil && (h.Kind == HandleKind.TypeReference || h.Kind == HandleKind.TypeDefinition));
    }

    private static readonly Dictionary<short, System.Reflection.Emit.OpCode> s_opcodes = typeof(System.Reflection.Emit.OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (System.Reflection.Emit.OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Metadata tokens that IL instructions name (calls, fields, types), found by decoding the instruction stream.</summary>
    private static IEnumerable<EntityHandle> IlTokens(byte[]? il)
    {
        if (il is null)
        {
            yield break;
        }

        int i = 0;
        while (i < il.Length)
        {
            short value = il[i] == 0xFE && i + 1 < il.Length ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            if (!s_opcodes.TryGetValue(value, out System.Reflection.Emit.OpCode op))
            {
                yield break;
            }

            switch (op.OperandType)
            {
                case System.Reflection.Emit.OperandType.InlineNone:
                    break;
                case System.Reflection.Emit.OperandType.ShortInlineBrTarget:
                case System.Reflection.Emit.OperandType.ShortInlineI:
                case System.Reflection.Emit.OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case System.Reflection.Emit.OperandType.InlineVar:
                    i += 2;
                    break;
                case System.Reflection.Emit.OperandType.InlineI8:
                case System.Reflection.Emit.OperandType.InlineR:
                    i += 8;
                    break;
                case System.Reflection.Emit.OperandType.InlineSwitch:
                    int n = BitConverter.ToInt32(il, i);
                    i += 4 + 4 * n;
                    break;
                case System.Reflection.Emit.OperandType.InlineMethod:
                case System.Reflection.Emit.OperandType.InlineField:
                case System.Reflection.Emit.OperandType.InlineType:
                case System.Reflection.Emit.OperandType.InlineTok:
                    yield return MetadataTokens.EntityHandle(BitConverter.ToInt32(il, i));
                    i += 4;
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }
}
