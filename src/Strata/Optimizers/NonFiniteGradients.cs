namespace Strata.Optimizers;

/// <summary>What a training step does when the loss or a gradient is NaN or infinite.</summary>
public enum NonFiniteGradients
{
    /// <summary>Leave the weights and the optimizer state as they were, count the step (History.SkippedSteps) and go on.</summary>
    Skip,

    /// <summary>Leave the weights as they were and throw <see cref="NonFiniteGradientException"/>.</summary>
    Throw,
}

/// <summary>A training step met a NaN or infinite loss or gradient; the weights were left unchanged.</summary>
public sealed class NonFiniteGradientException : ArithmeticException
{
    public NonFiniteGradientException() { }
    public NonFiniteGradientException(string message) : base(message) { }
    public NonFiniteGradientException(string message, Exception innerException) : base(message, innerException) { }
}
