using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Microsoft.ML.Attention.Tests;

/// <summary>
/// The pack's dependencies point one way — Transforms → Models → Training → Nn → Autograd → Tensors — and only
/// Transforms may touch ML.NET. Checked on the compiled assembly: every type reference made by a type in one layer
/// (signatures, fields, base types and IL member references) must name its own or a lower layer.
/// </summary>
[TestClass]
public sealed class LayeringTests
{
    private static readonly string[] s_layers = ["Tensors", "Autograd", "Nn", "Training", "Models", "Transforms"];

    [TestMethod]
    public void NamespacesOnlyReferenceLowerLayers()
    {
        var violations = new List<string>();
        string path = typeof(Microsoft.ML.Attention.Tensors.Tensor).Assembly.Location;
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        MetadataReader md = pe.GetMetadataReader();
        foreach (TypeDefinitionHandle th in md.TypeDefinitions)
        {
            TypeDefinition type = md.GetTypeDefinition(th);
            string ns = OuterNamespace(md, type);
            int level = Level(ns);
            if (level < 0)
            {
                continue;
            }

            foreach (string referenced in ReferencedNamespaces(md, type, pe))
            {
                int refLevel = Level(referenced);
                bool mlnet = referenced == "Microsoft.ML" || (referenced.StartsWith("Microsoft.ML.", StringComparison.Ordinal) && !referenced.StartsWith("Microsoft.ML.Attention", StringComparison.Ordinal));
                if (refLevel > level || (mlnet && s_layers[level] != "Transforms"))
                {
                    violations.Add($"{ns}.{md.GetString(type.Name)} → {referenced}");
                }
            }
        }

        Assert.AreEqual(0, violations.Distinct().Count(), "Upward or ML.NET references: " + string.Join("; ", violations.Distinct()));
    }

    [TestMethod]
    public void Checker_SeesTheReferencesItJudges()
    {
        // Guard against a checker that sees nothing: Nn must be seen referring to Autograd and Tensors.
        string path = typeof(Microsoft.ML.Attention.Tensors.Tensor).Assembly.Location;
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        MetadataReader md = pe.GetMetadataReader();
        TypeDefinition linear = md.TypeDefinitions.Select(md.GetTypeDefinition).Single(t => md.GetString(t.Name) == "Linear" && md.GetString(t.Namespace) == "Microsoft.ML.Attention.Nn");
        var seen = ReferencedNamespaces(md, linear, pe).ToHashSet();
        CollectionAssert.IsSubsetOf(new[] { "Microsoft.ML.Attention.Autograd", "Microsoft.ML.Attention.Tensors" }, seen.ToList());
    }

    private static int Level(string ns)
    {
        const string prefix = "Microsoft.ML.Attention.";
        if (!ns.StartsWith(prefix, StringComparison.Ordinal))
        {
            return -1;
        }

        string first = ns[prefix.Length..].Split('.')[0];
        return Array.IndexOf(s_layers, first);
    }

    private static string OuterNamespace(MetadataReader md, TypeDefinition type)
    {
        while (type.IsNested)
        {
            type = md.GetTypeDefinition(type.GetDeclaringType());
        }

        return md.GetString(type.Namespace);
    }

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
                return OuterNamespace(md, md.GetTypeDefinition((TypeDefinitionHandle)h));
            case HandleKind.MemberReference:
                return NamespaceOf(md, md.GetMemberReference((MemberReferenceHandle)h).Parent);
            case HandleKind.MethodDefinition:
                return OuterNamespace(md, md.GetTypeDefinition(md.GetMethodDefinition((MethodDefinitionHandle)h).GetDeclaringType()));
            case HandleKind.FieldDefinition:
                return OuterNamespace(md, md.GetTypeDefinition(md.GetFieldDefinition((FieldDefinitionHandle)h).GetDeclaringType()));
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
