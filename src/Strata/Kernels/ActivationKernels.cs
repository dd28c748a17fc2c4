using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Strata.Kernels;

/// <summary>
/// Element-wise activations and their derivatives. Smooth maps go through TensorPrimitives; the piecewise
/// ones (ReLU, ELU/SELU) and the fused derivative products are hand-written Vector512 loops with a scalar
/// tail, each with a plain twin in <see cref="ReferenceActivationKernels"/>.
/// All spans have the same length n; x is the activation's input, y its output, dY/dX gradients.
/// </summary>
internal static class ActivationKernels
{
    /// <summary>y = max(x, 0).</summary>
    public static void ReluForward(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

    /// <summary>y = x for x &gt; 0, αx otherwise (leaky ReLU).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LeakyReluForward(ReadOnlySpan<float> x, float alpha, Span<float> y)
    {
        Check(x.Length, y.Length);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var a = Vector512.Create(alpha);
            for (; i <= x.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref px, (nuint)i);
                Vector512.ConditionalSelect(Vector512.GreaterThan(v, Vector512<float>.Zero), v, v * a).StoreUnsafe(ref py, (nuint)i);
            }
        }
        for (; i < x.Length; i++)
        {
            float v = Unsafe.Add(ref px, i);
            Unsafe.Add(ref py, i) = v > 0 ? v : alpha * v;
        }
    }

    /// <summary>dX = dY where x &gt; 0, α·dY elsewhere (α = 0 is ReLU's derivative; at 0 it is taken as α).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LeakyReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, float alpha, Span<float> dX)
    {
        Check(x.Length, dY.Length);
        Check(x.Length, dX.Length);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pdy = ref MemoryMarshal.GetReference(dY);
        ref float pdx = ref MemoryMarshal.GetReference(dX);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var a = Vector512.Create(alpha);
            for (; i <= x.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref px, (nuint)i);
                var g = Vector512.LoadUnsafe(ref pdy, (nuint)i);
                Vector512.ConditionalSelect(Vector512.GreaterThan(v, Vector512<float>.Zero), g, g * a).StoreUnsafe(ref pdx, (nuint)i);
            }
        }
        for (; i < x.Length; i++)
        {
            float g = Unsafe.Add(ref pdy, i);
            Unsafe.Add(ref pdx, i) = Unsafe.Add(ref px, i) > 0 ? g : alpha * g;
        }
    }

    /// <summary>
    /// Scaled ELU: y = λx for x &gt; 0, λα(eˣ − 1) otherwise. ELU is λ = 1, α = 1; SELU uses
    /// α = 1.6732632, λ = 1.0507010 (Klambauer et al. 2017). eˣ − 1 goes through ExpM1 for accuracy near 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void EluForward(ReadOnlySpan<float> x, float alpha, float scale, Span<float> y)
    {
        Check(x.Length, y.Length);
        TensorPrimitives.ExpM1(x, y);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        float sa = scale * alpha;
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vScale = Vector512.Create(scale);
            var vSa = Vector512.Create(sa);
            for (; i <= x.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref px, (nuint)i);
                var e = Vector512.LoadUnsafe(ref py, (nuint)i);
                Vector512.ConditionalSelect(Vector512.GreaterThan(v, Vector512<float>.Zero), v * vScale, e * vSa).StoreUnsafe(ref py, (nuint)i);
            }
        }
        for (; i < x.Length; i++)
        {
            float v = Unsafe.Add(ref px, i);
            ref float e = ref Unsafe.Add(ref py, i);
            e = v > 0 ? scale * v : sa * e;
        }
    }

    /// <summary>
    /// dX = dY·λ for x &gt; 0, dY·(y + λα) otherwise: the derivative λαeˣ rewritten through the cached output.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void EluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dY, float alpha, float scale, Span<float> dX)
    {
        Check(x.Length, y.Length);
        Check(x.Length, dY.Length);
        Check(x.Length, dX.Length);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pdy = ref MemoryMarshal.GetReference(dY);
        ref float pdx = ref MemoryMarshal.GetReference(dX);
        float sa = scale * alpha;
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vScale = Vector512.Create(scale);
            var vSa = Vector512.Create(sa);
            for (; i <= x.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref px, (nuint)i);
                var o = Vector512.LoadUnsafe(ref py, (nuint)i);
                var g = Vector512.LoadUnsafe(ref pdy, (nuint)i);
                var slope = Vector512.ConditionalSelect(Vector512.GreaterThan(v, Vector512<float>.Zero), vScale, o + vSa);
                (g * slope).StoreUnsafe(ref pdx, (nuint)i);
            }
        }
        for (; i < x.Length; i++)
        {
            float slope = Unsafe.Add(ref px, i) > 0 ? scale : Unsafe.Add(ref py, i) + sa;
            Unsafe.Add(ref pdx, i) = Unsafe.Add(ref pdy, i) * slope;
        }
    }

    /// <summary>dX = dY·y·(1 − y), the sigmoid's derivative through its output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX)
    {
        Check(y.Length, dY.Length);
        Check(y.Length, dX.Length);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pdy = ref MemoryMarshal.GetReference(dY);
        ref float pdx = ref MemoryMarshal.GetReference(dX);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= y.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var o = Vector512.LoadUnsafe(ref py, (nuint)i);
                var g = Vector512.LoadUnsafe(ref pdy, (nuint)i);
                (g * o * (Vector512<float>.One - o)).StoreUnsafe(ref pdx, (nuint)i);
            }
        }
        for (; i < y.Length; i++)
        {
            float o = Unsafe.Add(ref py, i);
            Unsafe.Add(ref pdx, i) = Unsafe.Add(ref pdy, i) * o * (1f - o);
        }
    }

    /// <summary>dX = dY·(1 − y²), tanh's derivative through its output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX)
    {
        Check(y.Length, dY.Length);
        Check(y.Length, dX.Length);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pdy = ref MemoryMarshal.GetReference(dY);
        ref float pdx = ref MemoryMarshal.GetReference(dX);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= y.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var o = Vector512.LoadUnsafe(ref py, (nuint)i);
                var g = Vector512.LoadUnsafe(ref pdy, (nuint)i);
                (g * (Vector512<float>.One - o * o)).StoreUnsafe(ref pdx, (nuint)i);
            }
        }
        for (; i < y.Length; i++)
        {
            float o = Unsafe.Add(ref py, i);
            Unsafe.Add(ref pdx, i) = Unsafe.Add(ref pdy, i) * (1f - o * o);
        }
    }

    /// <summary>
    /// Row-wise softmax that subtracts each row's maximum first, so large logits cannot overflow
    /// (TensorPrimitives.SoftMax does not, and returns NaN for [1000, 1001, 1002]).
    /// </summary>
    public static void SoftmaxForward(ReadOnlySpan<float> x, int rows, int columns, Span<float> y)
    {
        // x, y: [rows, columns]
        Check(x.Length, rows * columns);
        Check(y.Length, rows * columns);
        if (columns == 0) return;
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * columns, columns);
            var yr = y.Slice(r * columns, columns);
            float max = TensorPrimitives.Max(xr);
            TensorPrimitives.Subtract(xr, max, yr);
            TensorPrimitives.Exp(yr, yr);
            float sum = TensorPrimitives.Sum<float>(yr);
            TensorPrimitives.Multiply(yr, 1f / sum, yr);
        }
    }

    /// <summary>Softmax's vector–Jacobian product per row: dX = y ⊙ (dY − ⟨dY, y⟩).</summary>
    public static void SoftmaxBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, int rows, int columns, Span<float> dX)
    {
        // y, dY, dX: [rows, columns]
        Check(y.Length, rows * columns);
        Check(dY.Length, rows * columns);
        Check(dX.Length, rows * columns);
        for (int r = 0; r < rows; r++)
        {
            var yr = y.Slice(r * columns, columns);
            var dyr = dY.Slice(r * columns, columns);
            var dxr = dX.Slice(r * columns, columns);
            float dot = TensorPrimitives.Dot(dyr, yr);
            TensorPrimitives.Subtract(dyr, dot, dxr);
            TensorPrimitives.Multiply(dxr, yr, dxr);
        }
    }

    private static void Check(int expected, int actual)
    {
        if (expected != actual)
            throw new ArgumentException($"Activation kernel spans differ in length: {expected} and {actual}.");
    }
}
