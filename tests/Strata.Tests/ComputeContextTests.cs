using Strata.Kernels.Parallel;
using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests;

/// <summary>Models run their kernels on their own context's threads, side by side, with unchanged results.</summary>
public class ComputeContextTests
{
    /// <summary>Inputs of a 300-unit Dense layer whose kernel is just above <see cref="RowPartition.MinValues"/>.</summary>
    private static readonly int Inputs = RowPartition.MinValues / 300 + 1;

    private static (Sequential Model, Tensor X, Tensor Y) NewModel()
    {
        // Inputs × 300 weights: above RowPartition.MinValues, so the first layer's rows are split across threads.
        var model = new Sequential(new Dense(300, activation: "relu", inputShape: [Inputs]), new Dense(4, activation: "softmax")) { Seed = 6 };
        model.Compile(new Adam(0.01f), Losses.SparseCategoricalCrossentropy);
        var x = GradientChecker.Random(new Shape(96, Inputs), seed: 7);
        var y = new Tensor(new Shape(96));
        for (int i = 0; i < 96; i++) y[i] = i % 4;
        return (model, x, y);
    }

    [Fact]
    public void Two_models_with_their_own_contexts_train_side_by_side_and_match_a_lone_run()
    {
        var (alone, x, y) = NewModel();
        using (var context = new ComputeContext(threads: 1))
        {
            alone.Context = context;
            alone.Fit(x, y, epochs: 2, batchSize: 16, seed: 8);
        }
        float[] expected = alone.Predict(x).Span.ToArray();

        using var first = new ComputeContext(threads: 2);
        using var second = new ComputeContext(threads: 2);
        var (a, _, _) = NewModel();
        var (b, _, _) = NewModel();
        a.Context = first;
        b.Context = second;
        Parallel.Invoke(
            () => a.Fit(x, y, epochs: 2, batchSize: 16, seed: 8),
            () => b.Fit(x, y, epochs: 2, batchSize: 16, seed: 8));
        Assert.Equal(expected, a.Predict(x).Span.ToArray());
        Assert.Equal(expected, b.Predict(x).Span.ToArray());
    }

    /// <summary>Records the managed thread of each part.</summary>
    private unsafe struct RecordThread : WorkerPool.IChunkBody
    {
        public int* ThreadOf;

        public readonly void Execute(int chunk) => ThreadOf[chunk] = Environment.CurrentManagedThreadId;
    }

    [Fact]
    public unsafe void Kernels_inside_a_context_use_its_pool_and_its_thread_count()
    {
        using var context = new ComputeContext(threads: 3);
        Assert.Equal(3, context.Threads);
        var threadOf = new int[3];
        using (context.Enter())
        {
            Assert.Same(context.Pool, WorkerPool.Current);
            Assert.Equal(3, WorkerPool.ThreadCount);
            fixed (int* p = threadOf)
            {
                var body = new RecordThread { ThreadOf = p };
                WorkerPool.RunPinned(3, ref body);
            }
        }
        Assert.Equal(3, threadOf.Distinct().Count());
        Assert.Equal(Environment.CurrentManagedThreadId, threadOf[0]);
        Assert.Same(ComputeContext.Default.Pool, WorkerPool.Current);
        context.Threads = 1;
        Assert.Equal(1, context.Threads);
    }

    [Fact]
    public void A_model_uses_the_default_context_until_given_its_own()
    {
        var (model, _, _) = NewModel();
        Assert.Same(ComputeContext.Default, model.Context);
        Assert.Throws<ArgumentNullException>(() => model.Context = null!);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ComputeContext(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ComputeContext.Default.Threads = 0);
    }

    [Fact]
    public void A_folded_model_keeps_its_context()
    {
        using var context = new ComputeContext(threads: 1);
        var model = new Sequential(new Dense(4, inputShape: [3]), new BatchNormalization(), new Dense(2)) { Seed = 1, Context = context };
        model.Build(new Shape(3));
        Assert.Same(context, model.FoldBatchNormalization().Context);
    }
}
