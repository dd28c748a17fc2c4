using System.Runtime.CompilerServices;
using Strata.Kernels.Simd;

namespace Strata.Kernels;

/// <summary>
/// Fused optimizer updates over the parameter slab: one pass reads g, updates the state and the weights. Each is a
/// body of the portable vector layer (<see cref="Vectorized"/>), written once for every width; scalar twins live in
/// <see cref="Reference.ReferenceOptimizerKernels"/>.
/// </summary>
internal static unsafe class OptimizerKernels
{
    /// <summary>Plain SGD: w ← w − η·g, one multiply-add per weight.</summary>
    public static void Sgd(ReadOnlySpan<float> gradients, float learningRate, Span<float> parameters)
    {
        // gradients, parameters: [p]
        if (parameters.Length != gradients.Length) throw new ArgumentException("SGD spans differ in length.");
        fixed (float* g = gradients, w = parameters)
            Vectorized.For(new SgdStep { G = g, W = w, NegativeRate = -learningRate }, gradients.Length);
    }

    /// <summary>
    /// Keras SGD with momentum μ and rate η: v ← μv − ηg; then w ← w + v, or with Nesterov w ← w + μv − ηg.
    /// </summary>
    public static void SgdMomentum(ReadOnlySpan<float> gradients, float learningRate, float momentum, bool nesterov,
        Span<float> velocity, Span<float> parameters)
    {
        // gradients, velocity, parameters: [p]
        if (velocity.Length != gradients.Length || parameters.Length != gradients.Length)
            throw new ArgumentException("SGD spans differ in length.");
        fixed (float* g = gradients, v = velocity, w = parameters)
        {
            var body = new MomentumStep { G = g, V = v, W = w, Rate = learningRate, Momentum = momentum, Nesterov = nesterov };
            Vectorized.For(body, gradients.Length);
        }
    }

    /// <summary>
    /// Adam (Kingma &amp; Ba 2015) in Keras's "efficient" form, on gradients scaled by gradientScale (global-norm clipping), with optional decoupled weight decay (AdamW):
    /// w ← w − decay·w; m ← m + (1 − β₁)(g − m); v ← v + (1 − β₂)(g² − v); w ← w − α·m/(√v + ε),
    /// where the caller folds the bias corrections into α = η·√(1 − β₂ᵗ)/(1 − β₁ᵗ) and decay = η·λ.
    /// </summary>
    public static void Adam(ReadOnlySpan<float> gradients, float gradientScale, float beta1, float beta2, float alpha, float epsilon, float decay,
        Span<float> m, Span<float> v, Span<float> parameters)
    {
        // gradients, m, v, parameters: [p]
        if (m.Length != gradients.Length || v.Length != gradients.Length || parameters.Length != gradients.Length)
            throw new ArgumentException("Adam spans differ in length.");
        fixed (float* pg = gradients, pm = m, pv = v, pw = parameters)
        {
            var body = new AdamStep
            {
                G = pg, M = pm, V = pv, W = pw, Scale = gradientScale, C1 = 1 - beta1, C2 = 1 - beta2,
                Alpha = alpha, Epsilon = epsilon, Decay = decay,
            };
            Vectorized.For(body, gradients.Length);
        }
    }

    /// <summary>
    /// RMSprop (Tieleman &amp; Hinton 2012) as Keras writes it: v ← ρv + (1 − ρ)g²; w ← w − η·g/√(v + ε).
    /// </summary>
    public static void RmsProp(ReadOnlySpan<float> gradients, float gradientScale, float rho, float learningRate, float epsilon, Span<float> v, Span<float> parameters)
    {
        // gradients, v, parameters: [p]
        if (v.Length != gradients.Length || parameters.Length != gradients.Length)
            throw new ArgumentException("RMSprop spans differ in length.");
        fixed (float* pg = gradients, pv = v, pw = parameters)
        {
            var body = new RmsPropStep { G = pg, V = pv, W = pw, Scale = gradientScale, Rho = rho, Rate = learningRate, Epsilon = epsilon };
            Vectorized.For(body, gradients.Length);
        }
    }

    /// <summary>
    /// Nadam (Dozat 2016): m and v as in Adam, then w ← w − η·(a·m + b·g)/(√(c·v) + ε), where the caller passes the
    /// step's Nesterov and bias-correction coefficients a = μₜ₊₁/(1 − Πμ₁..ₜ₊₁), b = (1 − μₜ)/(1 − Πμ₁..ₜ), c = 1/(1 − β₂ᵗ).
    /// </summary>
    public static void Nadam(ReadOnlySpan<float> gradients, float gradientScale, float beta1, float beta2, float learningRate, float epsilon,
        float a, float b, float c, Span<float> m, Span<float> v, Span<float> parameters)
    {
        // gradients, m, v, parameters: [p]
        if (m.Length != gradients.Length || v.Length != gradients.Length || parameters.Length != gradients.Length)
            throw new ArgumentException("Nadam spans differ in length.");
        fixed (float* pg = gradients, pm = m, pv = v, pw = parameters)
        {
            var body = new NadamStep
            {
                G = pg, M = pm, V = pv, W = pw, Scale = gradientScale, C1 = 1 - beta1, C2 = 1 - beta2,
                Rate = learningRate, Epsilon = epsilon, A = a, B = b, C = c,
            };
            Vectorized.For(body, gradients.Length);
        }
    }

    /// <summary>Adam's and Nadam's moments: m ← m + (1 − β₁)(g − m), v ← v + (1 − β₂)(g² − v), stored and returned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TV M, TV V) UpdateMoments<TV>(TV g, float* m, float* v, float c1, float c2) where TV : unmanaged, IVector<TV>
    {
        var mi = TV.Load(m);
        var vi = TV.Load(v);
        mi += TV.Create(c1) * (g - mi);
        vi += TV.Create(c2) * (g * g - vi);
        TV.Store(mi, m);
        TV.Store(vi, v);
        return (mi, vi);
    }

    private struct SgdStep : IVectorBody
    {
        public float* G, W;
        public float NegativeRate;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint i) where TV : unmanaged, IVector<TV>
            => TV.Store(TV.MultiplyAdd(TV.Load(G + i), TV.Create(NegativeRate), TV.Load(W + i)), W + i);
    }

    private struct MomentumStep : IVectorBody
    {
        public float* G, V, W;
        public float Rate, Momentum;
        public bool Nesterov;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint i) where TV : unmanaged, IVector<TV>
        {
            var mu = TV.Create(Momentum);
            var step = TV.Create(Rate) * TV.Load(G + i);
            var v = mu * TV.Load(V + i) - step;
            TV.Store(v, V + i);
            var delta = Nesterov ? mu * v - step : v;
            TV.Store(TV.Load(W + i) + delta, W + i);
        }
    }

    private struct AdamStep : IVectorBody
    {
        public float* G, M, V, W;
        public float Scale, C1, C2, Alpha, Epsilon, Decay;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint i) where TV : unmanaged, IVector<TV>
        {
            var g = TV.Create(Scale) * TV.Load(G + i);
            var w = TV.Load(W + i);
            w -= TV.Create(Decay) * w;
            var (m, v) = UpdateMoments(g, M + i, V + i, C1, C2);
            TV.Store(w - TV.Create(Alpha) * m / (TV.Sqrt(v) + TV.Create(Epsilon)), W + i);
        }
    }

    private struct RmsPropStep : IVectorBody
    {
        public float* G, V, W;
        public float Scale, Rho, Rate, Epsilon;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint i) where TV : unmanaged, IVector<TV>
        {
            var g = TV.Create(Scale) * TV.Load(G + i);
            var v = TV.Create(Rho) * TV.Load(V + i) + TV.Create(1 - Rho) * g * g;
            TV.Store(v, V + i);
            TV.Store(TV.Load(W + i) - TV.Create(Rate) * g / TV.Sqrt(v + TV.Create(Epsilon)), W + i);
        }
    }

    private struct NadamStep : IVectorBody
    {
        public float* G, M, V, W;
        public float Scale, C1, C2, Rate, Epsilon, A, B, C;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint i) where TV : unmanaged, IVector<TV>
        {
            var g = TV.Create(Scale) * TV.Load(G + i);
            var (m, v) = UpdateMoments(g, M + i, V + i, C1, C2);
            var step = TV.Create(Rate) * (TV.Create(A) * m + TV.Create(B) * g) / (TV.Sqrt(TV.Create(C) * v) + TV.Create(Epsilon));
            TV.Store(TV.Load(W + i) - step, W + i);
        }
    }
}
