namespace Strata.Kernels;

/// <summary>Scalar twins of <see cref="OptimizerKernels"/>.</summary>
internal static class ReferenceOptimizerKernels
{
    public static void Sgd(ReadOnlySpan<float> gradients, float learningRate, Span<float> parameters)
    {
        for (int i = 0; i < gradients.Length; i++) parameters[i] -= learningRate * gradients[i];
    }

    public static void SgdMomentum(ReadOnlySpan<float> gradients, float learningRate, float momentum, bool nesterov,
        Span<float> velocity, Span<float> parameters)
    {
        for (int i = 0; i < gradients.Length; i++)
        {
            velocity[i] = momentum * velocity[i] - learningRate * gradients[i];
            parameters[i] += nesterov ? momentum * velocity[i] - learningRate * gradients[i] : velocity[i];
        }
    }
}
