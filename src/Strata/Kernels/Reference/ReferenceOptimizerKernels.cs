namespace Strata.Kernels.Reference;

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

    public static void Adam(ReadOnlySpan<float> gradients, float gradientScale, float beta1, float beta2, float alpha, float epsilon, float decay,
        Span<float> m, Span<float> v, Span<float> parameters)
    {
        for (int i = 0; i < gradients.Length; i++)
        {
            double g = (double)gradientScale * gradients[i];
            double w = parameters[i] - (double)decay * parameters[i];
            m[i] = (float)(m[i] + (1 - beta1) * (g - m[i]));
            v[i] = (float)(v[i] + (1 - beta2) * (g * g - v[i]));
            parameters[i] = (float)(w - alpha * m[i] / (Math.Sqrt(v[i]) + epsilon));
        }
    }

    public static void RmsProp(ReadOnlySpan<float> gradients, float gradientScale, float rho, float learningRate, float epsilon, Span<float> v, Span<float> parameters)
    {
        for (int i = 0; i < gradients.Length; i++)
        {
            double g = (double)gradientScale * gradients[i];
            v[i] = (float)(rho * v[i] + (1 - rho) * g * g);
            parameters[i] = (float)(parameters[i] - learningRate * g / Math.Sqrt(v[i] + epsilon));
        }
    }

    public static void Nadam(ReadOnlySpan<float> gradients, float gradientScale, float beta1, float beta2, float learningRate, float epsilon,
        float a, float b, float c, Span<float> m, Span<float> v, Span<float> parameters)
    {
        for (int i = 0; i < gradients.Length; i++)
        {
            double g = (double)gradientScale * gradients[i];
            m[i] = (float)(m[i] + (1 - beta1) * (g - m[i]));
            v[i] = (float)(v[i] + (1 - beta2) * (g * g - v[i]));
            parameters[i] = (float)(parameters[i] - learningRate * (a * m[i] + b * g) / (Math.Sqrt(c * v[i]) + epsilon));
        }
    }
}
