using Strata.Kernels.Parallel;
using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Layers;

/// <summary>
/// A Dense layer whose kernel is large enough to be split by rows across threads (<see cref="RowPartition"/>)
/// gives the single-threaded results bit for bit: the parts follow the machine, not the thread count.
/// </summary>
[Collection(nameof(Kernels.WorkerPoolSettings))]
public class DenseThreadingTests
{
    /// <summary>Inputs of a 300-unit Dense layer whose kernel is just above <see cref="RowPartition.MinValues"/>.</summary>
    private static readonly int Inputs = RowPartition.MinValues / 300 + 1;

    private static (float[] Y, float[] Dx, float[] DKernel, float[] DBias) Run(int threads)
    {
        int saved = WorkerPool.ThreadCount;
        WorkerPool.ThreadCount = threads;
        try
        {
            var dense = new Dense(300, activation: "elu");
            dense.Build(new Shape(Inputs), new Random(3)); // 300 · Inputs weights: above RowPartition.MinValues
            var x = GradientChecker.Random(new Shape(20, Inputs), seed: 4);
            var dy = GradientChecker.Random(new Shape(20, 300), seed: 5);
            var y = dense.Forward(x, training: true).Span.ToArray();
            var dx = dense.Backward(dy).Span.ToArray();
            return (y, dx, dense.Kernel.Gradient.ToArray(), dense.Bias!.Gradient.ToArray());
        }
        finally
        {
            WorkerPool.ThreadCount = saved;
        }
    }

    [Fact]
    public void Split_rows_give_the_single_thread_results()
    {
        var one = Run(1);
        foreach (int threads in new[] { 2, 3 })
        {
            var many = Run(threads);
            Assert.Equal(one.Y, many.Y);
            Assert.Equal(one.Dx, many.Dx);
            Assert.Equal(one.DKernel, many.DKernel);
            Assert.Equal(one.DBias, many.DBias);
        }
    }

    [Fact]
    public void Training_on_two_or_three_threads_gives_the_one_thread_weights()
    {
        float[] Train(int threads)
        {
            int saved = WorkerPool.ThreadCount;
            WorkerPool.ThreadCount = threads;
            try
            {
                var model = new Sequential(new Dense(300, activation: "relu", inputShape: [Inputs]), new Dense(4, activation: "softmax")) { Seed = 6 };
                model.Compile(new Sgd(0.05f, momentum: 0.9f), Losses.SparseCategoricalCrossentropy);
                var x = GradientChecker.Random(new Shape(64, Inputs), seed: 7);
                var y = new Tensor(new Shape(64));
                for (int i = 0; i < 64; i++) y[i] = i % 4;
                model.Fit(x, y, epochs: 3, batchSize: 16, seed: 8);
                return model.Predict(x).Span.ToArray();
            }
            finally
            {
                WorkerPool.ThreadCount = saved;
            }
        }
        float[] one = Train(1);
        Assert.Equal(one, Train(2));
        Assert.Equal(one, Train(3));
    }
}
