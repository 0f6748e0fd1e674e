using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.Tests;

/// <summary>Bad input gets an exception naming the operation, the shapes and what was expected.</summary>
[TestClass]
public sealed class BadInputTests
{
    [TestMethod]
    public void MatMul_InnerMismatch_NamesShapes()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Zeros(2, 3).MatMul(Tensor.Zeros(4, 5)));
        StringAssert.Contains(e.Message, "MatMul");
        StringAssert.Contains(e.Message, "[2, 3]");
        StringAssert.Contains(e.Message, "[4, 5]");
    }

    [TestMethod]
    public void Broadcast_Mismatch_NamesOpAndShapes()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Zeros(2, 3).Add(Tensor.Zeros(4)));
        StringAssert.Contains(e.Message, "Add");
        StringAssert.Contains(e.Message, "[2, 3] and [4]");
    }

    [TestMethod]
    public void Linear_WrongInputWidth_SaysExpected()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new Linear(4, 2).Forward(Tensor.Zeros(3, 5)));
        StringAssert.Contains(e.Message, "[3, 5]");
        StringAssert.Contains(e.Message, "expected input [..., 4]");
    }

    [TestMethod]
    public void Conv2d_WrongChannels_NamesShapes()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new Conv2d(3, 4, 3).Forward(Tensor.Zeros(1, 2, 8, 8)));
        StringAssert.Contains(e.Message, "[1, 2, 8, 8]");
        StringAssert.Contains(e.Message, "[4, 3, 3, 3]");
    }

    [TestMethod]
    public void Recurrent_WrongFeatureSizeOrLengths_Explain()
    {
        var lstm = new Lstm(3, 4);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => lstm.Forward(Tensor.Zeros(2, 5, 4))).Message, "[batch, time, 3]");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => lstm.Forward(Tensor.Zeros(2, 5, 3), [5, 6])).Message, "Length 6 of sequence 1");
    }

    [TestMethod]
    public void Embedding_OutOfRangeIndex_NamesIndexPositionAndRange()
    {
        var e = Assert.ThrowsExactly<IndexOutOfRangeException>(() => new Embedding(10, 4).Forward([1, 2, 10]));
        StringAssert.Contains(e.Message, "index 10 at position 2");
        StringAssert.Contains(e.Message, "0 to 9");
    }

    [TestMethod]
    public void CrossEntropy_TargetOutOfRange_AndShapeMismatch()
    {
        var loss = new CrossEntropyLoss();
        StringAssert.Contains(Assert.ThrowsExactly<IndexOutOfRangeException>(() => loss.Forward(Tensor.Zeros(2, 3), [0, 3])).Message, "target 3 at position 1");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => loss.Forward(Tensor.Zeros(2, 3), [0])).Message, "[2, 3] and 1 targets");
    }

    [TestMethod]
    public void Loss_NaNInput_NamesLossShapeAndPosition()
    {
        Tensor logits = Tensor.Zeros(2, 3);
        logits[1, 1] = float.NaN;
        var e = Assert.ThrowsExactly<ArithmeticException>(() => new CrossEntropyLoss().Forward(logits, [0, 1]));
        StringAssert.Contains(e.Message, "CrossEntropyLoss");
        StringAssert.Contains(e.Message, "[2, 3]");
        StringAssert.Contains(e.Message, "flat index 4");
        Tensor x = Tensor.Full(float.PositiveInfinity, 2);
        StringAssert.Contains(Assert.ThrowsExactly<ArithmeticException>(() => new MseLoss().Forward(x, Tensor.Zeros(2))).Message, "MseLoss");
    }

    [TestMethod]
    public void Reshape_Incompatible_And_IndexOutOfRange()
    {
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Tensor.Zeros(2, 3).Reshape(4, 2)).Message, "[4, 2]");
        StringAssert.Contains(Assert.ThrowsExactly<IndexOutOfRangeException>(() => Tensor.Zeros(2, 3)[1, 3]).Message, "dimension 1 of size 3");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Tensor.FromArray([1f, 2f], 3)).Message, "[3]");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Tensor.Zeros(2, 3).Narrow(1, 2, 2)).Message, "[2, 4)");
    }

    [TestMethod]
    public void LoadStateDict_MissingAndUnexpectedNames_AreListed()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new Linear(2, 2).LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = Tensor.Zeros(2, 2), ["bais"] = Tensor.Zeros(2) }));
        StringAssert.Contains(e.Message, "missing 'bias'");
        StringAssert.Contains(e.Message, "unexpected 'bais'");
    }
}
