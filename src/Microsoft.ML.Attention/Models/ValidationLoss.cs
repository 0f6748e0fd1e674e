using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>The mean loss of a held-out split, as the pack's trainers measure it for early stopping.</summary>
internal static class ValidationLoss
{
    /// <summary>Consecutive batches of at most <paramref name="batchSize"/> of <paramref name="rows"/>.</summary>
    internal static IEnumerable<int[]> Slices(int[] rows, int batchSize)
    {
        for (int start = 0; start < rows.Length; start += batchSize)
        {
            yield return rows[start..Math.Min(rows.Length, start + batchSize)];
        }
    }

    /// <summary>
    /// The loss averaged over the rows of <paramref name="batches"/> (each batch weighted by its size), with
    /// <paramref name="model"/> in evaluation mode, no tape, and one tensor scope per batch.
    /// </summary>
    internal static double Mean(Module model, IEnumerable<int[]> batches, Func<int[], Tensor> loss)
    {
        model.Eval();
        double total = 0;
        int count = 0;
        using (GradMode.NoGrad())
        {
            foreach (int[] batch in batches)
            {
                using TensorScope scope = TensorScope.Begin();
                total += loss(batch).Item() * batch.Length;
                count += batch.Length;
            }
        }

        return total / Math.Max(1, count);
    }
}
