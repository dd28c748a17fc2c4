using Strata.Distributed;
using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Tests.Models;

/// <summary>Fit(..., communicator:) on ranks of an <see cref="InProcessCommunicator"/> against one process on the global batch.</summary>
public class DataParallelFitTests
{
    private static (Tensor X, Tensor Y) Images(int n, int size, int seed)
    {
        var random = new Random(seed);
        var x = new Tensor(new Shape(n, size, size));
        var y = new Tensor(new Shape(n));
        for (int i = 0; i < n; i++)
        {
            int label = i % 10;
            y[i] = label;
            for (int p = 0; p < size * size; p++) x.Span[i * size * size + p] = (p % 10 == label ? 1f : 0f) + 0.3f * (float)random.NextDouble();
        }
        return (x, y);
    }

    private static Sequential Preset(string name, int size)
    {
        var preset = Presets.Get(name);
        var model = preset.CreateSequential(new Shape(size, size), ModelTarget.Classification(10), seed: 7);
        model.Context = new ComputeContext(1);
        Optimizer optimizer = preset.Optimizer == "adam" ? new Adam(preset.LearningRate) : new Sgd(preset.LearningRate);
        model.Compile(optimizer, Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        return model;
    }

    private static Sequential Small(bool? synchronized = null, float? globalClipNorm = null)
    {
        var model = new Sequential(new Dense(8, activation: "relu", inputShape: [4]), new BatchNormalization(synchronized: synchronized),
            new Dropout(0.2f, seed: 3), new Dense(3, activation: "softmax")) { Seed = 5, Context = new ComputeContext(1) };
        model.Compile(new Sgd(0.2f, globalClipNorm: globalClipNorm), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        return model;
    }

    private static float[] Flat(Model model) => [.. model.Layers.SelectMany(l => l.Weights).SelectMany(w => w.Value.ToArray())];

    private static void Near(float[] expected, float[] actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]) / Math.Max(1, Math.Abs(expected[i])));
        Assert.True(worst <= tolerance, $"largest relative difference {worst}");
    }

    private static double LargestDifference(float[] a, float[] b) => a.Zip(b).Max(p => Math.Abs(p.First - p.Second));

    /// <summary>Each rank's weights after the run; every rank's must be the same, bit for bit.</summary>
    private static float[] OnRanks(int ranks, Func<Sequential> create, Action<Sequential, Communicator> fit)
    {
        var weights = InProcessCommunicator.Run(ranks, comm =>
        {
            var model = create();
            fit(model, comm);
            return Flat(model);
        }, TimeSpan.FromMinutes(2));
        foreach (var w in weights) Assert.Equal(weights[0], w);
        return weights[0];
    }

    [Theory]
    [InlineData("mlp-bn")]
    [InlineData("cnn-bn")]
    public void Two_ranks_of_16_train_the_weights_one_process_trains_with_batches_of_32(string preset)
    {
        var (x, y) = Images(96, 16, seed: 1);
        var one = Preset(preset, 16);
        one.Fit(x, y, batchSize: 32, seed: 3, steps: 20, verbose: 0);
        var two = OnRanks(2, () => Preset(preset, 16), (m, comm) => m.Fit(x, y, batchSize: 32, seed: 3, steps: 20, verbose: 0, communicator: comm));
        // Every weight but the biases that feed a BatchNormalization and that layer's moving mean, which follows them:
        // such a bias has a true gradient of 0 (BN subtracts the batch mean), so its computed gradient is the rounding
        // of the float sums, which differ between the runs, and Adam's step (about ±lr whatever the gradient's size)
        // follows that noise. The model's outputs do not depend on them.
        var noise = NoiseWeights(one);
        var weights = one.Layers.SelectMany(l => l.Weights).ToArray();
        int at = 0;
        foreach (var w in weights)
        {
            if (!noise.Contains(w)) Near(w.Value.ToArray(), two.AsSpan(at, w.Size).ToArray());
            at += w.Size;
        }
        Assert.Equal(at, two.Length);
        if (preset == "mlp-bn") Near(Flat(one), two); // SGD does not amplify the noise: every weight agrees
    }

    /// <summary>The bias of each layer just before a BatchNormalization, and that layer's moving mean.</summary>
    private static HashSet<Weight> NoiseWeights(Sequential model)
    {
        var noise = new HashSet<Weight>();
        for (int i = 0; i + 1 < model.Layers.Count; i++)
        {
            if (model.Layers[i + 1] is not BatchNormalization bn) continue;
            var bias = model.Layers[i].Weights.FirstOrDefault(w => w.Name.EndsWith("/bias", StringComparison.Ordinal));
            if (bias is null) continue;
            noise.Add(bias);
            noise.Add(bn.MovingMean);
        }
        return noise;
    }

    [Fact]
    public void A_functional_model_with_a_shared_batch_normalization_trains_as_on_one_process()
    {
        // Two inputs through one shared Dense → BatchNormalization pair (its twin synchronizes too), then Add.
        static Model Functional()
        {
            var a = Input.Of(4);
            var b = Input.Of(4);
            var dense = new Dense(6, activation: "relu");
            var bn = new BatchNormalization();
            var h = new Add().Call(bn.Call(dense.Call(a)), bn.Call(dense.Call(b)));
            var model = new Model([a, b], [new Dense(3, activation: "softmax").Call(h)]) { Seed = 2, Context = new ComputeContext(1) };
            model.Compile(new Sgd(0.1f, globalClipNorm: 0.5f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
            return model;
        }
        var (x, y) = SequentialTests.Blobs(40, seed: 15);
        var (x2, _) = SequentialTests.Blobs(40, seed: 16);
        var one = Functional();
        one.Fit([x, x2], [y], epochs: 2, batchSize: 10, seed: 4, verbose: 0);
        var two = InProcessCommunicator.Run(2, comm =>
        {
            var model = Functional();
            model.Fit([x, x2], [y], epochs: 2, batchSize: 10, seed: 4, verbose: 0, communicator: comm);
            return Flat(model);
        });
        Assert.Equal(two[0], two[1]);
        Near(Flat(one), two[0]);
    }

    [Fact]
    public void Without_synchronized_statistics_two_ranks_train_another_model()
    {
        var (x, y) = SequentialTests.Blobs(64, seed: 2);
        var one = Small();
        one.Fit(x, y, epochs: 3, batchSize: 16, seed: 3, verbose: 0);
        var synchronized = OnRanks(2, () => Small(), (m, comm) => m.Fit(x, y, epochs: 3, batchSize: 16, seed: 3, verbose: 0, communicator: comm));
        var local = InProcessCommunicator.Run(2, comm =>
        {
            var model = Small(synchronized: false);
            model.Fit(x, y, epochs: 3, batchSize: 16, seed: 3, verbose: 0, communicator: comm);
            return Flat(model);
        });
        Near(Flat(one), synchronized);
        Assert.True(LargestDifference(Flat(one), local[0]) > 1e-3);
    }

    [Fact]
    public void Clipping_validation_and_an_uneven_last_batch_are_the_global_batch_s()
    {
        // 43 samples in batches of 8: a last batch of 3, shared 2 and 1; a global norm of 0.05 clips every step.
        var (x, y) = SequentialTests.Blobs(43, seed: 4);
        var (vx, vy) = SequentialTests.Blobs(13, seed: 5);
        var one = Small(globalClipNorm: 0.05f);
        var expected = one.Fit(x, y, epochs: 3, batchSize: 8, seed: 6, validationData: (vx, vy), verbose: 0);
        var histories = new History[3];
        var three = OnRanks(3, () => Small(globalClipNorm: 0.05f), (m, comm) =>
            histories[comm.Rank] = m.Fit(x, y, epochs: 3, batchSize: 8, seed: 6, validationData: (vx, vy), verbose: 0, communicator: comm));
        Near(Flat(one), three);
        foreach (var history in histories)
        {
            foreach (string key in new[] { "loss", "accuracy", "val_loss", "val_accuracy" })
                Near([.. expected[key].Select(v => (float)v)], [.. history[key].Select(v => (float)v)]);
            Assert.Equal(expected.GradientNorms.Count, history.GradientNorms.Count);
            for (int i = 0; i < expected.GradientNorms.Count; i++) Assert.Equal(expected.GradientNorms[i], history.GradientNorms[i], 1e-5);
        }
    }

    [Fact]
    public void A_last_batch_smaller_than_the_ranks_is_dropped_on_every_rank()
    {
        var (x, y) = SequentialTests.Blobs(33, seed: 7); // a last batch of 1 for 2 ranks
        var one = Small();
        one.Fit(x, y, epochs: 2, batchSize: 8, seed: 8, dropLastPartialBatch: true, verbose: 0);
        var two = OnRanks(2, () => Small(), (m, comm) => m.Fit(x, y, epochs: 2, batchSize: 8, seed: 8, verbose: 0, communicator: comm));
        Near(Flat(one), two);
    }

    [Fact]
    public void A_non_finite_gradient_on_one_rank_skips_the_step_on_every_rank()
    {
        // A target in rank 1's half of the first batch whose squared error overflows float: only rank 1's loss is infinite.
        var (x, _) = SequentialTests.Blobs(16, seed: 9);
        var y = new Tensor(new Shape(16, 1));
        y[5, 0] = 3e38f;
        var skipped = InProcessCommunicator.Run(2, comm =>
        {
            var model = new Sequential(new Dense(1, inputShape: [4])) { Seed = 1, Context = new ComputeContext(1) };
            model.Compile(new Sgd(0.1f), Losses.MeanSquaredError);
            var start = Flat(model);
            long count = model.Fit(x, y, epochs: 1, batchSize: 8, shuffle: false, steps: 1, verbose: 0, communicator: comm).SkippedSteps;
            Assert.Equal(start, Flat(model)); // the weights as they were, on both ranks
            return count;
        });
        Assert.Equal([1L, 1L], skipped);
    }

    [Fact]
    public void A_two_rank_run_resumed_on_one_rank_ends_where_the_two_rank_run_does()
    {
        var (x, y) = SequentialTests.Blobs(48, seed: 10);
        string path = Path.Combine(Path.GetTempPath(), $"strata-dp-{Guid.NewGuid():N}.safetensors");
        try
        {
            var whole = OnRanks(2, () => Small(), (m, comm) => m.Fit(x, y, epochs: 2, batchSize: 8, seed: 11, verbose: 0, communicator: comm));
            OnRanks(2, () => Small(), (m, comm) =>
            {
                m.Fit(x, y, epochs: 1, batchSize: 8, seed: 11, verbose: 0, communicator: comm);
                if (comm.IsRoot) m.Save(path);
            });
            var resumed = Sequential.Load(path);
            resumed.Fit(x, y, epochs: 2, batchSize: 8, seed: 11, initialEpoch: 1, verbose: 0);
            Near(whole, Flat(resumed));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Every_rank_starts_from_rank_0_s_weights()
    {
        var (x, y) = SequentialTests.Blobs(16, seed: 12);
        var one = Small();
        one.Fit(x, y, epochs: 1, batchSize: 8, seed: 1, verbose: 0);
        // Rank 1's model is drawn with another seed: the broadcast replaces its weights with rank 0's.
        var two = OnRanks(2, () => Small(), (m, comm) =>
        {
            if (comm.Rank == 1)
                foreach (var w in m.Layers.SelectMany(l => l.Weights)) w.Value.Fill(0.5f);
            m.Fit(x, y, epochs: 1, batchSize: 8, seed: 1, verbose: 0, communicator: comm);
        });
        Near(Flat(one), two);
    }

    [Fact]
    public void Ranks_that_disagree_on_the_run_are_refused_naming_the_setting()
    {
        var (x, y) = SequentialTests.Blobs(32, seed: 13);
        var error = Assert.Throws<AggregateException>(() => InProcessCommunicator.Run(2, comm =>
            Small().Fit(x, y, batchSize: comm.Rank == 0 ? 8 : 16, seed: 1, verbose: 0, communicator: comm)));
        Assert.Contains("disagree on batch size: rank 0 has 8, rank 1 has 16", error.InnerExceptions[0].Message);
        var tooSmall = Assert.Throws<AggregateException>(() => InProcessCommunicator.Run(3, comm =>
            Small().Fit(x, y, batchSize: 2, seed: 1, verbose: 0, communicator: comm)));
        Assert.Contains("a global batch of 2 cannot be shared by 3 ranks", tooSmall.InnerExceptions[0].Message);
    }

    private sealed class Counting(bool writes) : Callback
    {
        public int Batches;

        public override bool WritesOutput => writes;

        public override void OnBatchEnd(int epoch, BatchLogs logs) => Batches++;
    }

    private sealed class StopAtStep(int rank, int step) : Callback
    {
        private int _steps;

        public override void OnBatchEnd(int epoch, BatchLogs logs)
        {
            if (++_steps == step && Model is not null && rank >= 0) StopTraining = true;
        }
    }

    [Fact]
    public void Writing_callbacks_run_on_rank_0_only_and_a_stop_on_one_rank_stops_all()
    {
        var (x, y) = SequentialTests.Blobs(64, seed: 14);
        var counts = InProcessCommunicator.Run(2, comm =>
        {
            var writer = new Counting(writes: true);
            var reader = new Counting(writes: false);
            // Only rank 1 asks to stop, after its third step: both ranks stop there.
            Callback[] callbacks = comm.Rank == 1 ? [writer, reader, new StopAtStep(1, 3)] : [writer, reader];
            var history = Small().Fit(x, y, epochs: 2, batchSize: 8, seed: 1, verbose: 0, callbacks: callbacks, communicator: comm);
            return (writer.Batches, reader.Batches, history.GradientNorms.Count);
        });
        Assert.Equal((3, 3, 3), counts[0]);
        Assert.Equal((0, 3, 3), counts[1]);
    }
}
