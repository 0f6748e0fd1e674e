using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Autograd;

/// <summary>Reverse-mode differentiation over the graph recorded behind a tensor.</summary>
public static class Backpropagation
{
    [ThreadStatic]
    private static LeafGradients? t_leafGradients;

    /// <summary>Where backward on this thread gathers the leaves' gradients now: null for their <see cref="Tensor.Grad"/>.</summary>
    internal static LeafGradients? LeafGradientsOnThisThread => t_leafGradients;

    /// <summary>
    /// Until the returned scope is disposed (on this thread), backward on this thread adds the leaves' gradients to
    /// <paramref name="gradients"/> instead of their <see cref="Tensor.Grad"/>.
    /// </summary>
    internal static IDisposable GatherLeafGradients(LeafGradients gradients)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        LeafGradients? outer = t_leafGradients;
        t_leafGradients = gradients;
        return new Restore(() => t_leafGradients = outer);
    }

    /// <summary>
    /// Accumulates into every leaf that requires grad the gradient of <paramref name="root"/> (a one-element tensor
    /// unless <paramref name="gradient"/> is given) and frees the graph.
    /// </summary>
    /// <exception cref="InvalidOperationException">The root needs no gradient, is not a scalar without a seed, or the graph was already freed.</exception>
    public static void Backward(this Tensor root, Tensor? gradient = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (!root.RequiresGrad)
        {
            throw new InvalidOperationException($"Backward() was called on a tensor of shape {ShapeMath.Format(root.Dims)} that does not require grad (no input required grad, or it was computed under GradMode.NoGrad()).");
        }

        if (gradient is null)
        {
            if (root.Length != 1)
            {
                throw new InvalidOperationException($"Backward() without a gradient needs a one-element output; this one has shape {ShapeMath.Format(root.Dims)}.");
            }

            gradient = Tensor.Ones(root.Dims);
        }
        else if (!ShapeMath.SameShape(gradient.Dims, root.Dims))
        {
            throw new ArgumentException($"The gradient has shape {ShapeMath.Format(gradient.Dims)} but the output has shape {ShapeMath.Format(root.Dims)}.", nameof(gradient));
        }

        if (root.GradFn is null)
        {
            AccumulateLeaf(root, gradient);
            return;
        }

        List<BackwardNode> order = TopologicalOrder((BackwardNode)root.GradFn);
        var pending = new Dictionary<BackwardNode, Tensor>(order.Count, ReferenceEqualityComparer.Instance) { [(BackwardNode)root.GradFn] = gradient };
        var targets = new GradientTargets(pending);
        for (int n = order.Count - 1; n >= 0; n--)
        {
            BackwardNode node = order[n];
            if (!pending.Remove(node, out Tensor? gradOutput))
            {
                node.Release();
                continue;
            }

            IReadOnlyList<Tensor> inputs = node.Inputs;
            Tensor?[] grads = node.Compute(gradOutput, targets);
            for (int i = 0; i < inputs.Count; i++)
            {
                Tensor? g = grads[i];
                Tensor input = inputs[i];
                if (g is null || !input.RequiresGrad || ReferenceEquals(g, GradientTargets.Added))
                {
                    continue;
                }

                if (!ShapeMath.SameShape(g.Dims, input.Dims))
                {
                    throw new InvalidOperationException($"Backward of '{node.Name}' produced a gradient of shape {ShapeMath.Format(g.Dims)} for input {i} of shape {ShapeMath.Format(input.Dims)}.");
                }

                if (input.GradFn is BackwardNode producer)
                {
                    if (pending.TryGetValue(producer, out Tensor? existing))
                    {
                        TensorMath.AddInPlace(existing, g);
                    }
                    else
                    {
                        pending[producer] = SharesBuffer(grads, i, g) ? g.Clone() : g;
                    }
                }
                else
                {
                    AccumulateLeaf(input, g);
                }
            }

            node.Release();
        }
    }

    private static bool SharesBuffer(Tensor?[] grads, int index, Tensor g)
    {
        for (int j = 0; j < index; j++)
        {
            if (grads[j] is Tensor other && ReferenceEquals(other.Buffer, g.Buffer))
            {
                return true;
            }
        }

        return false;
    }

    private static void AccumulateLeaf(Tensor leaf, Tensor g)
    {
        if (t_leafGradients is { } gathered)
        {
            TensorMath.AddInPlace(gathered.Of(leaf), g);
        }
        else if (leaf.Grad is null)
        {
            Tensor grad = Tensor.ZerosUnscoped(leaf.Dims);
            g.AsSpan().CopyTo(grad.AsSpan());
            leaf.Grad = grad;
        }
        else
        {
            TensorMath.AddInPlace(leaf.Grad, g);
        }
    }

    private static List<BackwardNode> TopologicalOrder(BackwardNode root)
    {
        var order = new List<BackwardNode>();
        var visited = new HashSet<BackwardNode>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(BackwardNode Node, int Next)>();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            (BackwardNode node, int next) = stack.Pop();
            if (node.IsReleased)
            {
                throw new InvalidOperationException($"Trying to run backward through '{node.Name}' a second time: its saved tensors were freed after the first backward.");
            }

            IReadOnlyList<Tensor> inputs = node.Inputs;
            if (next < inputs.Count)
            {
                stack.Push((node, next + 1));
                if (inputs[next].GradFn is BackwardNode child && visited.Add(child))
                {
                    stack.Push((child, 0));
                }
            }
            else
            {
                order.Add(node);
            }
        }

        return order;
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        private Action? _restore = restore;

        public void Dispose()
        {
            _restore?.Invoke();
            _restore = null;
        }
    }
}
