using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Attention.Transforms;

namespace Microsoft.ML.Attention.Tests.Reliability;

/// <summary>Edits a SaveWithAttention zip as a damaged file would be: entries changed, and the manifest's SHA-256 of some redone.</summary>
internal static class ModelZip
{
    /// <summary>The entries' names, in the zip's order.</summary>
    public static string[] EntryNames(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return [.. archive.Entries.Select(e => e.FullName)];
    }

    /// <summary>
    /// The zip with every entry passed through <paramref name="change"/> (name, bytes → new bytes) and the manifest's
    /// checksums of the entries named in <paramref name="rehash"/> recomputed, so that the change gets past them.
    /// </summary>
    public static byte[] Rewrite(byte[] zip, Func<string, byte[], byte[]> change, params string[] rehash)
    {
        var entries = new List<(string Name, byte[] Data)>();
        using (var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
        {
            foreach (ZipArchiveEntry e in archive.Entries)
            {
                using Stream s = e.Open();
                using var copy = new MemoryStream();
                s.CopyTo(copy);
                entries.Add((e.FullName, change(e.FullName, copy.ToArray())));
            }
        }

        if (rehash.Length > 0)
        {
            int m = entries.FindIndex(e => e.Name == AttentionModelFormat.ManifestEntry);
            JsonNode root = JsonNode.Parse(entries[m].Data)!;
            foreach (string name in rehash)
            {
                root["entries"]![name] = Convert.ToHexStringLower(SHA256.HashData(entries.First(e => e.Name == name).Data));
            }

            entries[m] = (entries[m].Name, Encoding.UTF8.GetBytes(root.ToJsonString()));
        }

        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach ((string name, byte[] data) in entries)
            {
                using Stream s = archive.CreateEntry(name).Open();
                s.Write(data);
            }
        }

        return output.ToArray();
    }
}
