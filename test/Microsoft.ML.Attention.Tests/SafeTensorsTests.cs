using System.Buffers.Binary;
using System.Text;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Serialization;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Tests;

/// <summary>safetensors round trips, PyTorch-named weights, and damaged files.</summary>
[TestClass]
public sealed class SafeTensorsTests
{
    private string _dir = "";

    [TestInitialize]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "attention-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TestCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    public void ModuleWeights_RoundTrip_WithPyTorchNames()
    {
        var lstm = new Lstm(3, 2, bidirectional: true, random: new Random(1));
        string path = Path.Combine(_dir, "lstm.safetensors");
        lstm.SaveWeights(path);
        var other = new Lstm(3, 2, bidirectional: true, random: new Random(99));
        other.LoadWeights(path);
        foreach ((KeyValuePair<string, Tensor> a, KeyValuePair<string, Tensor> b) in lstm.StateDict().OrderBy(k => k.Key).Zip(other.StateDict().OrderBy(k => k.Key)))
        {
            Assert.AreEqual(a.Key, b.Key);
            CollectionAssert.AreEqual(a.Value.ToArray(), b.Value.ToArray(), a.Key);
        }

        CollectionAssert.Contains(SafeTensors.Load(path).Keys.ToList(), "weight_hh_l0_reverse");
    }

    [TestMethod]
    public void PyTorchFixture_LoadsIntoModule()
    {
        var conv = new Conv2d(4, 6, 3, stride: 2, padding: 1);
        Dictionary<string, Tensor> all = SafeTensors.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "conv2d.safetensors"));
        conv.LoadStateDict(all.Where(kv => kv.Key.StartsWith("param.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[6..], kv => kv.Value));
        CollectionAssert.AreEqual(all["param.weight"].ToArray(), conv.Weight.ToArray());
    }

    [TestMethod]
    public void LoadWeights_WrongShape_NamesTensorAndShapes_ModuleUnchanged()
    {
        string path = Path.Combine(_dir, "lin.safetensors");
        new Linear(4, 3).SaveWeights(path);
        var target = new Linear(5, 3, random: new Random(2));
        float[] before = target.Weight.ToArray();
        var e = Assert.ThrowsExactly<ArgumentException>(() => target.LoadWeights(path));
        StringAssert.Contains(e.Message, "'weight' has shape [3, 4] but the module expects [3, 5]");
        CollectionAssert.AreEqual(before, target.Weight.ToArray());
    }

    [TestMethod]
    public void TruncatedFile_GetsClearError()
    {
        string path = Path.Combine(_dir, "t.safetensors");
        new Linear(8, 8).SaveWeights(path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensors.Load(path));
        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "truncated");
    }

    [TestMethod]
    public void HugeHeaderLength_IsRejectedBeforeAllocating()
    {
        string path = Path.Combine(_dir, "h.safetensors");
        byte[] bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue / 2);
        File.WriteAllBytes(path, bytes);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensors.Load(path));
        StringAssert.Contains(e.Message, "header claims");
    }

    [TestMethod]
    public void MalformedHeader_AndBadOffsets_AndUnknownDtype_AreRejected()
    {
        AssertRejected("{not json", "malformed");
        AssertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[1000000,1000000],\"data_offsets\":[0,4]}}", "too large");
        AssertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,400]}}", "do not fit");
        AssertRejected("{\"w\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", "C64");
        // A negative begin whose span still has the tensor's size: only the sign check can refuse it.
        AssertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", "data offsets [-4, 0)");
    }

    [TestMethod]
    public void FailedSave_LeavesExistingFileIntact()
    {
        string path = Path.Combine(_dir, "keep.safetensors");
        var lin = new Linear(2, 2);
        lin.SaveWeights(path);
        byte[] before = File.ReadAllBytes(path);
        using (TensorScope.Begin())
        {
            Tensor gone = Tensor.Zeros(3);
            gone.Dispose();
            Assert.ThrowsExactly<ObjectDisposedException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a"] = Tensor.Ones(2), ["b"] = gone }));
        }

        CollectionAssert.AreEqual(before, File.ReadAllBytes(path));
        Assert.AreEqual(1, Directory.GetFiles(_dir).Length, "no temporary file is left behind");
    }

    private void AssertRejected(string header, string expected)
    {
        string path = Path.Combine(_dir, "bad.safetensors");
        byte[] json = Encoding.UTF8.GetBytes(header);
        byte[] bytes = new byte[8 + json.Length + 8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensors.Load(path), header);
        StringAssert.Contains(e.Message, expected);
    }
}
