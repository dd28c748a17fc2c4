using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Strata.Kernels;

/// <summary>
/// Fused optimizer updates over the parameter slab: one pass reads g, updates the state and the weights.
/// Scalar twins live in <see cref="ReferenceOptimizerKernels"/>.
/// </summary>
internal static class OptimizerKernels
{
    /// <summary>Plain SGD: w ← w − η·g, one fused multiply-add per weight.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sgd(ReadOnlySpan<float> gradients, float learningRate, Span<float> parameters)
    {
        // gradients, parameters: [p]
        if (parameters.Length != gradients.Length) throw new ArgumentException("SGD spans differ in length.");
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float w = ref MemoryMarshal.GetReference(parameters);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var eta = Vector512.Create(-learningRate);
            for (; i <= gradients.Length - Vector512<float>.Count; i += Vector512<float>.Count)
                Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref g, (nuint)i), eta, Vector512.LoadUnsafe(ref w, (nuint)i)).StoreUnsafe(ref w, (nuint)i);
        }
        for (; i < gradients.Length; i++) Unsafe.Add(ref w, i) = MathF.FusedMultiplyAdd(Unsafe.Add(ref g, i), -learningRate, Unsafe.Add(ref w, i));
    }

    /// <summary>
    /// Keras SGD with momentum μ and rate η: v ← μv − ηg; then w ← w + v, or with Nesterov w ← w + μv − ηg.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SgdMomentum(ReadOnlySpan<float> gradients, float learningRate, float momentum, bool nesterov,
        Span<float> velocity, Span<float> parameters)
    {
        // gradients, velocity, parameters: [p]
        if (velocity.Length != gradients.Length || parameters.Length != gradients.Length)
            throw new ArgumentException("SGD spans differ in length.");
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float v = ref MemoryMarshal.GetReference(velocity);
        ref float w = ref MemoryMarshal.GetReference(parameters);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var mu = Vector512.Create(momentum);
            var eta = Vector512.Create(learningRate);
            for (; i <= gradients.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var step = eta * Vector512.LoadUnsafe(ref g, (nuint)i);
                var vNew = mu * Vector512.LoadUnsafe(ref v, (nuint)i) - step;
                vNew.StoreUnsafe(ref v, (nuint)i);
                var delta = nesterov ? mu * vNew - step : vNew;
                (Vector512.LoadUnsafe(ref w, (nuint)i) + delta).StoreUnsafe(ref w, (nuint)i);
            }
        }
        for (; i < gradients.Length; i++)
        {
            float step = learningRate * Unsafe.Add(ref g, i);
            float vNew = momentum * Unsafe.Add(ref v, i) - step;
            Unsafe.Add(ref v, i) = vNew;
            Unsafe.Add(ref w, i) += nesterov ? momentum * vNew - step : vNew;
        }
    }
}
