using Strata.Kernels.Parallel;
using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Optimizers;

/// <summary>
/// AGC on a kernel large enough to be split by rows across threads (<see cref="RowPartition"/>): each part sums its
/// own rows and the parts are added in part order, so one, two or three threads give the same weights bit for bit.
/// </summary>
[Collection(nameof(Kernels.WorkerPoolSettings))]
public class UnitwiseClippingThreadingTests
{
    private static readonly int Inputs = RowPartition.MinValues / 300 + 1;

    private static Sequential Model(Optimizer optimizer)
    {
        var model = new Sequential(new Dense(300, activation: "relu", inputShape: [Inputs]), new Dense(4, activation: "softmax")) { Seed = 6 };
        model.Compile(optimizer, Losses.SparseCategoricalCrossentropy);
        return model;
    }

    private static (Tensor X, Tensor Y) Data()
    {
        var x = GradientChecker.Random(new Shape(64, Inputs), seed: 7);
        var y = new Tensor(new Shape(64));
        for (int i = 0; i < 64; i++) y[i] = i % 4;
        return (x, y);
    }

    private static float[] Train(int threads, float? agc)
    {
        int saved = WorkerPool.ThreadCount;
        WorkerPool.ThreadCount = threads;
        try
        {
            var model = Model(new Sgd(0.05f, momentum: 0.9f, agc: agc));
            var (x, y) = Data();
            model.Fit(x, y, epochs: 3, batchSize: 16, seed: 8);
            return model.Predict(x).Span.ToArray();
        }
        finally
        {
            WorkerPool.ThreadCount = saved;
        }
    }

    [Fact]
    public void Training_on_two_or_three_threads_gives_the_one_thread_weights()
    {
        Assert.True(RowPartition.Parts(300 * Inputs, Inputs) > 1 || Environment.ProcessorCount == 1);
        float[] one = Train(1, 0.001f);
        Assert.Equal(one, Train(2, 0.001f));
        Assert.Equal(one, Train(3, 0.001f));
        Assert.NotEqual(one, Train(1, null)); // AGC did clip
    }

    [Fact]
    public void A_split_kernel_is_clipped_by_the_formula()
    {
        int saved = WorkerPool.ThreadCount;
        WorkerPool.ThreadCount = 2;
        try
        {
            var (x, y) = Data();
            UnitwiseClippingTests.CheckEveryWeightAgainstTheFormula(Model(new Sgd()), x, y, 0.01f);
        }
        finally
        {
            WorkerPool.ThreadCount = saved;
        }
    }
}
