using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Tests;

/// <summary>The tensor buffer pool is a bounded cache: by buffers of one length, by distinct lengths and by bytes held.</summary>
[TestClass]
public sealed class BufferPoolTests
{
    [TestMethod]
    public void ManyDistinctLengths_DoNotGrowThePoolWithoutBound()
    {
        for (int length = 1_000_001; length < 1_000_001 + 2 * BufferPool.MaxLengths; length += 2)
        {
            BufferPool.Return(new float[length % 1000 + length / 1000]);
        }

        for (int length = 1; length <= 3 * BufferPool.MaxLengths; length++)
        {
            BufferPool.Return(new float[length]);
        }

        Assert.IsLessThanOrEqualTo(BufferPool.MaxLengths, BufferPool.Lengths);
        float[] seven = BufferPool.Rent(7);
        BufferPool.Return(seven);
        Assert.AreSame(seven, BufferPool.Rent(7), "a length of the current work is pooled again after the table was full");
        BufferPool.Clear();
    }

    [TestMethod]
    public void ManyBuffersOfOneLength_KeepAtMostTheBound()
    {
        const int length = 77_777; // no other test's length
        for (int i = 0; i < BufferPool.MaxPerLength + 10; i++)
        {
            BufferPool.Return(new float[length]);
        }

        Assert.AreEqual(BufferPool.MaxPerLength, BufferPool.Pooled(length));
        var rented = new HashSet<float[]>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < BufferPool.MaxPerLength; i++)
        {
            Assert.IsTrue(rented.Add(BufferPool.Rent(length)), "a pooled buffer handed out twice");
        }

        Assert.AreEqual(0, BufferPool.Pooled(length), "every pooled buffer rented back");
        BufferPool.Return(rented.First());
        Assert.AreEqual(1, BufferPool.Pooled(length));
        Assert.AreSame(rented.First(), BufferPool.Rent(length));
    }

    [TestMethod]
    public void ReturnedBytes_StayWithinTheBudget()
    {
        const int length = 16 << 20; // 64 MiB each: nine are more than the 512 MiB budget
        for (int i = 0; i < 9; i++)
        {
            BufferPool.Return(GC.AllocateUninitializedArray<float>(length));
        }

        Assert.IsLessThanOrEqualTo(BufferPool.MaxPooledBytes, BufferPool.PooledFloats * sizeof(float));
        for (int i = 0; i < 9; i++)
        {
            Assert.HasCount(length, BufferPool.Rent(length)); // take them back out, so the pool does not keep them
        }
    }
}
