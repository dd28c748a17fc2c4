using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Strata.Kernels.Simd;

namespace Strata.Kernels;

/// <summary>
/// Element-wise activations and their derivatives. Smooth maps go through TensorPrimitives; the piecewise
/// ones (leaky ReLU, ELU/SELU) and the fused derivative products are bodies of the portable vector layer
/// (<see cref="Vectorized"/>), written once for every width, each with a plain twin in <see cref="Reference.ReferenceActivationKernels"/>.
/// All spans have the same length n; x is the activation's input, y its output, dY/dX gradients.
/// </summary>
internal static class ActivationKernels
{
    /// <summary>y = max(x, 0).</summary>
    public static void ReluForward(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

    /// <summary>y = x for x &gt; 0, αx otherwise (leaky ReLU).</summary>
    public static unsafe void LeakyReluForward(ReadOnlySpan<float> x, float alpha, Span<float> y)
    {
        Check(x.Length, y.Length);
        fixed (float* px = x, py = y)
            Vectorized.For(new LeakyRelu { X = px, Y = py, Alpha = alpha }, x.Length);
    }

    /// <summary>dX = dY where x &gt; 0, α·dY elsewhere (α = 0 is ReLU's derivative; at 0 it is taken as α).</summary>
    public static unsafe void LeakyReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, float alpha, Span<float> dX)
    {
        Check(x.Length, dY.Length);
        Check(x.Length, dX.Length);
        fixed (float* px = x, pdy = dY, pdx = dX)
            Vectorized.For(new LeakyReluGradient { X = px, DY = pdy, DX = pdx, Alpha = alpha }, x.Length);
    }

    /// <summary>
    /// Scaled ELU: y = λx for x &gt; 0, λα(eˣ − 1) otherwise. ELU is λ = 1, α = 1; SELU uses
    /// α = 1.6732632, λ = 1.0507010 (Klambauer et al. 2017). eˣ − 1 goes through ExpM1 for accuracy near 0.
    /// </summary>
    public static unsafe void EluForward(ReadOnlySpan<float> x, float alpha, float scale, Span<float> y)
    {
        Check(x.Length, y.Length);
        TensorPrimitives.ExpM1(x, y);
        fixed (float* px = x, py = y)
            Vectorized.For(new Elu { X = px, Y = py, Scale = scale, ScaledAlpha = scale * alpha }, x.Length);
    }

    /// <summary>
    /// dX = dY·λ for x &gt; 0, dY·(y + λα) otherwise: the derivative λαeˣ rewritten through the cached output.
    /// </summary>
    public static unsafe void EluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dY, float alpha, float scale, Span<float> dX)
    {
        Check(x.Length, y.Length);
        Check(x.Length, dY.Length);
        Check(x.Length, dX.Length);
        fixed (float* px = x, py = y, pdy = dY, pdx = dX)
            Vectorized.For(new EluGradient { X = px, Y = py, DY = pdy, DX = pdx, Scale = scale, ScaledAlpha = scale * alpha }, x.Length);
    }

    /// <summary>dX = dY·y·(1 − y), the sigmoid's derivative through its output.</summary>
    public static unsafe void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX)
    {
        Check(y.Length, dY.Length);
        Check(y.Length, dX.Length);
        fixed (float* py = y, pdy = dY, pdx = dX)
            Vectorized.For(new SigmoidGradient { Y = py, DY = pdy, DX = pdx }, y.Length);
    }

    /// <summary>dX = dY·(1 − y²), tanh's derivative through its output.</summary>
    public static unsafe void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX)
    {
        Check(y.Length, dY.Length);
        Check(y.Length, dX.Length);
        fixed (float* py = y, pdy = dY, pdx = dX)
            Vectorized.For(new TanhGradient { Y = py, DY = pdy, DX = pdx }, y.Length);
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

    private unsafe struct LeakyRelu : IVectorBody
    {
        public float* X, Y;
        public float Alpha;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint i) where TV : unmanaged, IVector<TV>
        {
            var v = TV.Load(X + i);
            TV.Store(TV.Select(TV.GreaterThan(v, TV.Zero), v, v * TV.Create(Alpha)), Y + i);
        }
    }

    private unsafe struct LeakyReluGradient : IVectorBody
    {
        public float* X, DY, DX;
        public float Alpha;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint i) where TV : unmanaged, IVector<TV>
        {
            var g = TV.Load(DY + i);
            TV.Store(TV.Select(TV.GreaterThan(TV.Load(X + i), TV.Zero), g, g * TV.Create(Alpha)), DX + i);
        }
    }

    // Y holds eˣ − 1 on entry and the activation on exit.
    private unsafe struct Elu : IVectorBody
    {
        public float* X, Y;
        public float Scale, ScaledAlpha;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint i) where TV : unmanaged, IVector<TV>
        {
            var v = TV.Load(X + i);
            var expm1 = TV.Load(Y + i);
            TV.Store(TV.Select(TV.GreaterThan(v, TV.Zero), v * TV.Create(Scale), expm1 * TV.Create(ScaledAlpha)), Y + i);
        }
    }

    private unsafe struct EluGradient : IVectorBody
    {
        public float* X, Y, DY, DX;
        public float Scale, ScaledAlpha;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint i) where TV : unmanaged, IVector<TV>
        {
            var slope = TV.Select(TV.GreaterThan(TV.Load(X + i), TV.Zero), TV.Create(Scale), TV.Load(Y + i) + TV.Create(ScaledAlpha));
            TV.Store(TV.Load(DY + i) * slope, DX + i);
        }
    }

    private unsafe struct SigmoidGradient : IVectorBody
    {
        public float* Y, DY, DX;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint i) where TV : unmanaged, IVector<TV>
        {
            var o = TV.Load(Y + i);
            TV.Store(TV.Load(DY + i) * o * (TV.One - o), DX + i);
        }
    }

    private unsafe struct TanhGradient : IVectorBody
    {
        public float* Y, DY, DX;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint i) where TV : unmanaged, IVector<TV>
        {
            var o = TV.Load(Y + i);
            TV.Store(TV.Load(DY + i) * (TV.One - o * o), DX + i);
        }
    }

    private static void Check(int expected, int actual)
    {
        if (expected != actual)
            throw new ArgumentException($"Activation kernel spans differ in length: {expected} and {actual}.");
    }
}
