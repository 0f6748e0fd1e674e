using System.Runtime.Intrinsics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Autograd;

/// <summary>
/// Differentiable tensor operations. Each records itself for backward when gradients are being recorded
/// (<see cref="GradMode.IsEnabled"/>) and one of its inputs requires grad; otherwise it only computes.
/// They are extension methods, so <c>x.MatMul(w)</c> and <c>Ops.MatMul(x, w)</c> are the same call.
/// </summary>
public static partial class Ops
{
    internal static bool Recording(Tensor a) => a.RequiresGrad && GradMode.IsEnabled;

    internal static bool Recording(Tensor a, Tensor b) => (a.RequiresGrad || b.RequiresGrad) && GradMode.IsEnabled;

    internal static Tensor Record(Tensor result, string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        result.SetGradFn(new BackwardNode(name, inputs, backward));
        return result;
    }

    /// <summary>As <see cref="Record(Tensor, string, Tensor[], Func{Tensor, Tensor?[]})"/>, for a backward that may add into the gradients already gathered.</summary>
    internal static Tensor Record(Tensor result, string name, Tensor[] inputs, Func<Tensor, GradientTargets, Tensor?[]> backward)
    {
        result.SetGradFn(new BackwardNode(name, inputs, backward));
        return result;
    }

    /// <summary>Elementwise sum with broadcasting.</summary>
    public static Tensor Add(this Tensor a, Tensor b) => BinaryOp(TensorMath.Binary.Add, a, b, nameof(Add));

    /// <summary>Elementwise difference with broadcasting.</summary>
    public static Tensor Sub(this Tensor a, Tensor b) => BinaryOp(TensorMath.Binary.Subtract, a, b, nameof(Sub));

    /// <summary>Elementwise product with broadcasting.</summary>
    public static Tensor Mul(this Tensor a, Tensor b) => BinaryOp(TensorMath.Binary.Multiply, a, b, nameof(Mul));

    /// <summary>Elementwise quotient with broadcasting.</summary>
    public static Tensor Div(this Tensor a, Tensor b) => BinaryOp(TensorMath.Binary.Divide, a, b, nameof(Div));

    private static Tensor BinaryOp(TensorMath.Binary op, Tensor a, Tensor b, string name)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        Tensor y = TensorMath.Apply(op, a, b, name);
        if (!Recording(a, b))
        {
            return y;
        }

        return Record(y, name, [a, b], g =>
        {
            Tensor? ga = null, gb = null;
            switch (op)
            {
                case TensorMath.Binary.Add:
                    ga = a.RequiresGrad ? TensorMath.SumToShape(g, a.Dims) : null;
                    gb = b.RequiresGrad ? TensorMath.SumToShape(g, b.Dims) : null;
                    break;
                case TensorMath.Binary.Subtract:
                    ga = a.RequiresGrad ? TensorMath.SumToShape(g, a.Dims) : null;
                    if (b.RequiresGrad)
                    {
                        gb = TensorMath.SumToShape(g, b.Dims).Clone();
                        TensorPrimitives.Negate(gb.AsSpan(), gb.AsSpan());
                    }

                    break;
                case TensorMath.Binary.Multiply:
                    ga = a.RequiresGrad ? TensorMath.SumToShape(TensorMath.Apply(TensorMath.Binary.Multiply, g, b, name), a.Dims) : null;
                    gb = b.RequiresGrad ? TensorMath.SumToShape(TensorMath.Apply(TensorMath.Binary.Multiply, g, a, name), b.Dims) : null;
                    break;
                default:
                    ga = a.RequiresGrad ? TensorMath.SumToShape(TensorMath.Apply(TensorMath.Binary.Divide, g, b, name), a.Dims) : null;
                    if (b.RequiresGrad)
                    {
                        // d(a/b)/db = -a / b^2 = -y / b
                        Tensor t = TensorMath.Apply(TensorMath.Binary.Divide, TensorMath.Apply(TensorMath.Binary.Multiply, g, y.Detach(), name), b, name);
                        TensorPrimitives.Negate(t.AsSpan(), t.AsSpan());
                        gb = TensorMath.SumToShape(t, b.Dims);
                    }

                    break;
            }

            return [ga, gb];
        });
    }

    /// <summary>x + c.</summary>
    public static Tensor Add(this Tensor x, float c) =>
        Unary(x, "AddScalar", (s, d) => TensorPrimitives.Add(s, c, d), (g, _, _) => g);

    /// <summary>x · c.</summary>
    public static Tensor Mul(this Tensor x, float c) =>
        Unary(x, "MulScalar", (s, d) => TensorPrimitives.Multiply(s, c, d), (g, _, _) => Scaled(g, c));

    /// <summary>-x.</summary>
    public static Tensor Neg(this Tensor x) => x.Mul(-1f);

    /// <summary>x raised to a constant power.</summary>
    public static Tensor Pow(this Tensor x, float exponent) =>
        Unary(x, nameof(Pow), (s, d) => TensorPrimitives.Pow(s, exponent, d), (g, xs, _) =>
        {
            Tensor t = Tensor.Empty(xs.Dims);
            TensorPrimitives.Pow(xs.AsSpan(), exponent - 1, t.AsSpan());
            TensorPrimitives.Multiply(t.AsSpan(), exponent, t.AsSpan());
            TensorPrimitives.Multiply(t.AsSpan(), g.AsSpan(), t.AsSpan());
            return t;
        });

    /// <summary>Elementwise e^x.</summary>
    public static Tensor Exp(this Tensor x) =>
        Unary(x, nameof(Exp), TensorPrimitives.Exp, (g, _, y) => Product(g, y));

    /// <summary>Elementwise natural logarithm.</summary>
    public static Tensor Log(this Tensor x) =>
        Unary(x, nameof(Log), TensorPrimitives.Log, (g, xs, _) =>
        {
            Tensor t = Tensor.Empty(g.Dims);
            TensorPrimitives.Divide(g.AsSpan(), xs.AsSpan(), t.AsSpan());
            return t;
        });

    /// <summary>Elementwise square root.</summary>
    public static Tensor Sqrt(this Tensor x) =>
        Unary(x, nameof(Sqrt), TensorPrimitives.Sqrt, (g, _, y) =>
        {
            Tensor t = Tensor.Empty(g.Dims);
            TensorPrimitives.Divide(g.AsSpan(), y.AsSpan(), t.AsSpan());
            TensorPrimitives.Multiply(t.AsSpan(), 0.5f, t.AsSpan());
            return t;
        });

    /// <summary>Elementwise hyperbolic tangent (a rational approximation: absolute and relative error below 4e-7).</summary>
    public static Tensor Tanh(this Tensor x) =>
        Unary(x, nameof(Tanh), VectorTanh.Tanh, (g, _, y) =>
        {
            // g * (1 - y^2)
            Tensor t = Tensor.Empty(g.Dims);
            Span<float> ts = t.AsSpan();
            TensorPrimitives.Multiply(y.AsSpan(), y.AsSpan(), ts);
            TensorPrimitives.Subtract(1f, ts, ts);
            TensorPrimitives.Multiply(ts, g.AsSpan(), ts);
            return t;
        }, cost: 8);

    /// <summary>Elementwise logistic sigmoid 1 / (1 + e^-x).</summary>
    public static Tensor Sigmoid(this Tensor x) =>
        Unary(x, nameof(Sigmoid), TensorPrimitives.Sigmoid, (g, _, y) =>
        {
            // g * y * (1 - y)
            Tensor t = Tensor.Empty(g.Dims);
            Span<float> ts = t.AsSpan();
            TensorPrimitives.Subtract(1f, y.AsSpan(), ts);
            TensorPrimitives.Multiply(ts, y.AsSpan(), ts);
            TensorPrimitives.Multiply(ts, g.AsSpan(), ts);
            return t;
        });

    /// <summary>Elementwise hard sigmoid relu6(x + 3) / 6 (PyTorch's <c>F.hardsigmoid</c> and timm's <c>hard_sigmoid</c>).</summary>
    public static Tensor HardSigmoid(this Tensor x) =>
        Unary(x, nameof(HardSigmoid), (s, d) =>
        {
            TensorPrimitives.Add(s, 3f, d);
            TensorPrimitives.Max(d, 0f, d);
            TensorPrimitives.Min(d, 6f, d);
            TensorPrimitives.Multiply(d, 1f / 6f, d);
        }, (g, xs, _) =>
        {
            Tensor t = Tensor.Empty(g.Dims);
            ReadOnlySpan<float> xv = xs.AsSpan(), gv = g.AsSpan();
            Span<float> ts = t.AsSpan();
            for (int i = 0; i < ts.Length; i++)
            {
                ts[i] = xv[i] > -3f && xv[i] < 3f ? gv[i] * (1f / 6f) : 0f;
            }

            return t;
        });

    /// <summary>Elementwise max(x, 0).</summary>
    public static Tensor Relu(this Tensor x) =>
        Unary(x, nameof(Relu), (s, d) => TensorPrimitives.Max(s, 0f, d), (g, xs, _) =>
        {
            Tensor t = Tensor.Empty(g.Dims);
            ReadOnlySpan<float> xv = xs.AsSpan(), gv = g.AsSpan();
            Span<float> ts = t.AsSpan();
            int i = 0;
            for (; i + Vector512<float>.Count <= ts.Length; i += Vector512<float>.Count)
            {
                Vector512<float> positive = Vector512.GreaterThan(Vector512.Create(xv.Slice(i, Vector512<float>.Count)), Vector512<float>.Zero);
                (Vector512.Create(gv.Slice(i, Vector512<float>.Count)) & positive).CopyTo(ts.Slice(i, Vector512<float>.Count));
            }

            for (; i < ts.Length; i++)
            {
                ts[i] = xv[i] > 0f ? gv[i] : 0f;
            }

            return t;
        });

    /// <summary>Elementwise GELU with the exact erf form, x·Φ(x) (PyTorch's default <c>approximate='none'</c>).</summary>
    public static Tensor Gelu(this Tensor x) =>
        Unary(x, nameof(Gelu), GeluKernel.Forward, (g, xs, _) =>
        {
            Tensor t = Tensor.Empty(g.Dims);
            CpuParallel.ForRanges(t.Length, (start, count) => GeluKernel.Backward(g.AsSpan().Slice(start, count), xs.AsSpan().Slice(start, count), t.AsSpan().Slice(start, count)));
            return t;
        });

    /// <summary>Elementwise SiLU (swish), x·σ(x).</summary>
    public static Tensor Silu(this Tensor x) =>
        Unary(x, nameof(Silu), (s, d) =>
        {
            TensorPrimitives.Sigmoid(s, d);
            TensorPrimitives.Multiply(d, s, d);
        }, (g, xs, _) =>
        {
            Tensor t = Tensor.Empty(g.Dims);
            ReadOnlySpan<float> xv = xs.AsSpan(), gv = g.AsSpan();
            Span<float> ts = t.AsSpan();
            for (int i = 0; i < ts.Length; i++)
            {
                float sig = 1f / (1f + MathF.Exp(-xv[i]));
                ts[i] = gv[i] * (sig + xv[i] * sig * (1f - sig));
            }

            return t;
        });

    /// <param name="x">The input.</param>
    /// <param name="name">The operation's name on the tape.</param>
    /// <param name="forward">The elementwise function over a range.</param>
    /// <param name="backward">The gradient from (g, x, y).</param>
    /// <param name="cost">Rough cost of one element relative to an add (a transcendental function: about 8), so that
    /// cheap functions of small tensors stay on one core and costly ones split sooner.</param>
    private static Tensor Unary(Tensor x, string name, Action<ReadOnlySpan<float>, Span<float>> forward, Func<Tensor, Tensor, Tensor, Tensor> backward, int cost = 1)
    {
        ArgumentNullException.ThrowIfNull(x);
        Tensor y = Tensor.Empty(x.Dims);
        CpuParallel.ForRanges(x.Length, (start, count) => forward(x.AsSpan().Slice(start, count), y.AsSpan().Slice(start, count)), elementsPerItem: cost);
        if (!Recording(x))
        {
            return y;
        }

        Tensor yd = y.Detach();
        return Record(y, name, [x], g => [backward(g, x, yd)]);
    }

    private static Tensor Scaled(Tensor g, float c)
    {
        Tensor t = Tensor.Empty(g.Dims);
        TensorPrimitives.Multiply(g.AsSpan(), c, t.AsSpan());
        return t;
    }

    private static Tensor Product(Tensor a, Tensor b)
    {
        Tensor t = Tensor.Empty(a.Dims);
        TensorPrimitives.Multiply(a.AsSpan(), b.AsSpan(), t.AsSpan());
        return t;
    }
}
