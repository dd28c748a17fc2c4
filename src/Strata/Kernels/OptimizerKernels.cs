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

    /// <summary>
    /// Adam (Kingma &amp; Ba 2015) in Keras's "efficient" form, on gradients scaled by gradientScale (global-norm clipping), with optional decoupled weight decay (AdamW):
    /// w ← w − decay·w; m ← m + (1 − β₁)(g − m); v ← v + (1 − β₂)(g² − v); w ← w − α·m/(√v + ε),
    /// where the caller folds the bias corrections into α = η·√(1 − β₂ᵗ)/(1 − β₁ᵗ) and decay = η·λ.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Adam(ReadOnlySpan<float> gradients, float gradientScale, float beta1, float beta2, float alpha, float epsilon, float decay,
        Span<float> m, Span<float> v, Span<float> parameters)
    {
        // gradients, m, v, parameters: [p]
        if (m.Length != gradients.Length || v.Length != gradients.Length || parameters.Length != gradients.Length)
            throw new ArgumentException("Adam spans differ in length.");
        ref float pg = ref MemoryMarshal.GetReference(gradients);
        ref float pm = ref MemoryMarshal.GetReference(m);
        ref float pv = ref MemoryMarshal.GetReference(v);
        ref float pw = ref MemoryMarshal.GetReference(parameters);
        float c1 = 1 - beta1, c2 = 1 - beta2;
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vc1 = Vector512.Create(c1);
            var vc2 = Vector512.Create(c2);
            var va = Vector512.Create(alpha);
            var ve = Vector512.Create(epsilon);
            var vd = Vector512.Create(decay);
            var vs = Vector512.Create(gradientScale);
            for (; i <= gradients.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var g = vs * Vector512.LoadUnsafe(ref pg, (nuint)i);
                var w = Vector512.LoadUnsafe(ref pw, (nuint)i);
                w -= vd * w;
                var mi = Vector512.LoadUnsafe(ref pm, (nuint)i);
                var vi = Vector512.LoadUnsafe(ref pv, (nuint)i);
                mi += vc1 * (g - mi);
                vi += vc2 * (g * g - vi);
                mi.StoreUnsafe(ref pm, (nuint)i);
                vi.StoreUnsafe(ref pv, (nuint)i);
                (w - va * mi / (Vector512.Sqrt(vi) + ve)).StoreUnsafe(ref pw, (nuint)i);
            }
        }
        for (; i < gradients.Length; i++)
        {
            float g = gradientScale * Unsafe.Add(ref pg, i);
            ref float w = ref Unsafe.Add(ref pw, i);
            ref float mi = ref Unsafe.Add(ref pm, i);
            ref float vi = ref Unsafe.Add(ref pv, i);
            w -= decay * w;
            mi += c1 * (g - mi);
            vi += c2 * (g * g - vi);
            w -= alpha * mi / (MathF.Sqrt(vi) + epsilon);
        }
    }

    /// <summary>
    /// RMSprop (Tieleman &amp; Hinton 2012) as Keras writes it: v ← ρv + (1 − ρ)g²; w ← w − η·g/√(v + ε).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RmsProp(ReadOnlySpan<float> gradients, float gradientScale, float rho, float learningRate, float epsilon, Span<float> v, Span<float> parameters)
    {
        // gradients, v, parameters: [p]
        if (v.Length != gradients.Length || parameters.Length != gradients.Length)
            throw new ArgumentException("RMSprop spans differ in length.");
        ref float pg = ref MemoryMarshal.GetReference(gradients);
        ref float pv = ref MemoryMarshal.GetReference(v);
        ref float pw = ref MemoryMarshal.GetReference(parameters);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vr = Vector512.Create(rho);
            var vr1 = Vector512.Create(1 - rho);
            var vl = Vector512.Create(learningRate);
            var ve = Vector512.Create(epsilon);
            var vs = Vector512.Create(gradientScale);
            for (; i <= gradients.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var g = vs * Vector512.LoadUnsafe(ref pg, (nuint)i);
                var vi = vr * Vector512.LoadUnsafe(ref pv, (nuint)i) + vr1 * g * g;
                vi.StoreUnsafe(ref pv, (nuint)i);
                (Vector512.LoadUnsafe(ref pw, (nuint)i) - vl * g / Vector512.Sqrt(vi + ve)).StoreUnsafe(ref pw, (nuint)i);
            }
        }
        for (; i < gradients.Length; i++)
        {
            float g = gradientScale * Unsafe.Add(ref pg, i);
            ref float vi = ref Unsafe.Add(ref pv, i);
            vi = rho * vi + (1 - rho) * g * g;
            Unsafe.Add(ref pw, i) -= learningRate * g / MathF.Sqrt(vi + epsilon);
        }
    }

    /// <summary>
    /// Nadam (Dozat 2016): m and v as in Adam, then w ← w − η·(a·m + b·g)/(√(c·v) + ε), where the caller passes the
    /// step's Nesterov and bias-correction coefficients a = μₜ₊₁/(1 − Πμ₁..ₜ₊₁), b = (1 − μₜ)/(1 − Πμ₁..ₜ), c = 1/(1 − β₂ᵗ).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Nadam(ReadOnlySpan<float> gradients, float gradientScale, float beta1, float beta2, float learningRate, float epsilon,
        float a, float b, float c, Span<float> m, Span<float> v, Span<float> parameters)
    {
        // gradients, m, v, parameters: [p]
        if (m.Length != gradients.Length || v.Length != gradients.Length || parameters.Length != gradients.Length)
            throw new ArgumentException("Nadam spans differ in length.");
        for (int i = 0; i < gradients.Length; i++)
        {
            float g = gradientScale * gradients[i];
            m[i] += (1 - beta1) * (g - m[i]);
            v[i] += (1 - beta2) * (g * g - v[i]);
            parameters[i] -= learningRate * (a * m[i] + b * g) / (MathF.Sqrt(c * v[i]) + epsilon);
        }
    }
}
