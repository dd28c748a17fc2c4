using System.Text.Json;
using Strata.Layers;

namespace Strata.Parity.Tests;

/// <summary>
/// BatchNormalization against PyTorch's BatchNorm1d/2d (tools/fixtures/batchnorm.py): the same 10 training
/// steps with momentum = 1 − ours and the same ε, NCHW permuted to NHWC. Output, dX, dγ and dβ of the last
/// step and the moving mean within 1e-4 relative; PyTorch's unbiased running variance converted to our biased one.
/// </summary>
public class BatchNormalizationParityTests
{
    public static TheoryData<int> Cases() => [.. Enumerable.Range(0, Fixture.Load("batchnorm.json").GetProperty("cases").GetArrayLength())];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch_over_ten_training_steps(int index)
    {
        JsonElement c = Fixture.Load("batchnorm.json").GetProperty("cases")[index];
        int[] shape = c.Ints("shape");
        var bn = new BatchNormalization(momentum: c.GetProperty("momentum").GetSingle(), epsilon: c.GetProperty("epsilon").GetSingle());
        bn.Build(new Shape(shape[1..]), new Random(1));
        c.Floats("gamma").CopyTo(bn.Gamma!.Value);
        c.Floats("beta").CopyTo(bn.Beta!.Value);

        float[] x0 = c.Floats("x0");
        int steps = c.GetProperty("steps").GetInt32();
        Tensor y = null!;
        for (int k = 0; k < steps; k++)
        {
            // x_k = x_0·(1 + 0.1k) + 0.5k in float32, as the generator computes it.
            float a = (float)(1 + 0.1 * k), b = (float)(0.5 * k);
            var xk = new Tensor(new Shape(shape), x0.Select(v => v * a + b).ToArray());
            y = bn.Forward(xk, training: true);
        }
        Fixture.Close("y", c.Floats("y"), y.Span);
        var dx = bn.Backward(new Tensor(new Shape(shape), c.Floats("dy")));
        Fixture.Close("dx", c.Floats("dx"), dx.Span);
        Fixture.Close("dgamma", c.Floats("dgamma"), bn.Gamma.Gradient);
        Fixture.Close("dbeta", c.Floats("dbeta"), bn.Beta.Gradient);
        Fixture.Close("moving_mean", c.Floats("moving_mean"), bn.MovingMean.Value);
        Fixture.Close("moving_variance", c.Floats("moving_variance_biased"), bn.MovingVariance.Value);
    }
}
