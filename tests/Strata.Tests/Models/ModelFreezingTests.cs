using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Tests.Models;

/// <summary>Freezing and unfreezing layers before and after Compile, with BatchNormalization and the optimizer's state.</summary>
public class ModelFreezingTests
{
    internal static (Tensor X, Tensor Y) Data(int n, int seed)
    {
        var random = new Random(seed);
        var x = new Tensor(new Shape(n, 28, 28));
        var y = new Tensor(new Shape(n));
        for (int i = 0; i < n; i++)
        {
            int label = random.Next(10);
            y[i] = label;
            for (int p = 0; p < 784; p++) x[i * 784 + p] = (float)random.NextDouble() * 0.5f + (p % 10 == label ? 0.5f : 0f);
        }
        return (x, y);
    }

    internal static float[][] Values(IEnumerable<Layer> layers) => [.. layers.SelectMany(l => l.Weights).Select(w => w.Value.ToArray())];

    [Fact]
    public void The_summary_counts_frozen_layers_as_keras_does_for_the_texts_model()
    {
        // Géron's BN network (Flatten, BN, Dense 300, BN, Dense 100, BN, Dense 10) with all but the output frozen.
        var model = Presets.MlpBn(seed: 1);
        model.Freeze(..^1);
        string summary = model.Summary();
        Assert.Contains("Total params: 271,346", summary);
        Assert.Contains("Trainable params: 1,010", summary);
        Assert.Contains("Non-trainable params: 270,336", summary);
    }

    [Fact]
    public void Freezing_after_compile_is_honoured_and_unfreezing_gives_back_the_optimizer_state()
    {
        var (x, y) = Data(96, 1);
        var model = Presets.MlpBn(seed: 2);
        var adam = new Adam(0.01f);
        model.Compile(adam, Losses.SparseCategoricalCrossentropy);
        model.Fit(x, y, epochs: 1, batchSize: 32, seed: 3, verbose: 0);
        var body = model.Layers.Take(model.Layers.Count - 1).ToArray();
        var kernel = ((Dense)body[2]).Kernel;
        float[] Moment(Weight weight)
        {
            var slab = model.Slab;
            int i = Array.IndexOf(slab.Weights, weight);
            return adam.StateSlots.First(s => s.Slot == "m").Values.AsSpan(slab.OffsetOf(i), weight.Size).ToArray();
        }
        var moment = Moment(kernel);

        model.Freeze(..^1);
        var frozen = Values(body);
        var head = Values([model.Layers[^1]]);
        model.Fit(x, y, epochs: 1, batchSize: 32, seed: 4, verbose: 0);
        Assert.Equal(frozen, Values(body)); // weights, γ, β and moving statistics alike
        Assert.NotEqual(head, Values([model.Layers[^1]]));
        Assert.DoesNotContain(kernel, model.Slab.Weights);

        model.Unfreeze();
        model.ComputeGradients(x, y); // the next step takes the change: the kernel's Adam moment is back
        Assert.Contains(kernel, model.Slab.Weights);
        Assert.Equal(moment, Moment(kernel));
        model.Fit(x, y, epochs: 1, batchSize: 32, seed: 5, verbose: 0);
        Assert.NotEqual(frozen, Values(body));
    }

    [Fact]
    public void A_frozen_layer_of_a_functional_model_freezes_every_call_of_it()
    {
        var input = Input.Of(4);
        var shared = new Dense(4, activation: "tanh", name: "shared");
        var model = new Model(input, new Dense(2, name: "head").Call(shared.Call(shared.Call(input)))) { Seed = 1 };
        model.Compile(new Sgd(0.1f), Losses.MeanSquaredError);
        var x = GradientCheck.GradientChecker.Random(new Shape(8, 4), seed: 2);
        var t = GradientCheck.GradientChecker.Random(new Shape(8, 2), seed: 3);
        model.TrainOnBatch(x, t);
        shared.Trainable = false;
        var before = shared.Kernel.Value.ToArray();
        model.TrainOnBatch(x, t);
        model.TrainOnBatch(x, t);
        Assert.Equal(before, shared.Kernel.Value.ToArray());
        shared.Trainable = true;
        model.TrainOnBatch(x, t);
        Assert.NotEqual(before, shared.Kernel.Value.ToArray());
    }

    [Fact]
    public void An_unfreezing_schedule_trains_what_freezing_and_unfreezing_between_fits_does()
    {
        var (x, y) = Data(96, 2);
        Model Compiled()
        {
            var model = Presets.MlpBn(seed: 3);
            model.Freeze(..^1);
            model.Compile(new Adam(0.01f), Losses.SparseCategoricalCrossentropy);
            return model;
        }
        var byHand = Compiled();
        byHand.Fit(x, y, epochs: 1, batchSize: 32, seed: 4, verbose: 0);
        byHand.Unfreeze(..^1);
        byHand.SetLearningRateMultiplier(..^1, 0.1f);
        byHand.Fit(x, y, epochs: 3, batchSize: 32, seed: 4, verbose: 0, initialEpoch: 1);

        var scheduled = Compiled();
        var history = scheduled.Fit(x, y, epochs: 3, batchSize: 32, seed: 4, verbose: 0, callbacks: [new UnfreezingSchedule(1, ..^1, 0.1f)]);

        Assert.Equal(Values(byHand.Layers), Values(scheduled.Layers));
        var bn = (BatchNormalization)scheduled.Layers[1];
        Assert.Equal(BatchNormMode.ScaleAndShift, bn.Mode); // moving statistics kept after unfreezing
        Assert.Equal(0.1f, scheduled.Layers[0].LearningRateMultiplier);
        // The gradient records keep one column per weight that can train: 0 while frozen, then the real norm.
        Assert.Equal(12, history.WeightGradientNorms[0].Length);
        Assert.Equal(9, history.GradientNorms.Count);
        Assert.All(history.WeightGradientNorms.Take(3), w => Assert.Equal(0, w[0]));
        Assert.All(history.WeightGradientNorms.Skip(3), w => Assert.True(w[0] > 0));
        Assert.All(history.WeightGradientNorms, w => Assert.True(w[^1] > 0));
        Assert.Equal(scheduled.Layers.Skip(1).Select(l => l.Name), history.LayerGradientNorms.Layers); // every layer but Flatten
    }

    [Fact]
    public void A_resumed_fit_applies_the_unfreezing_steps_of_the_epochs_it_skips()
    {
        var (x, y) = Data(64, 5);
        var model = Presets.MlpBn(seed: 6);
        model.Freeze(..^1);
        model.Compile(new Sgd(0.01f), Losses.SparseCategoricalCrossentropy);
        var schedule = new UnfreezingSchedule(new UnfreezeStep(1, ..2, BatchStatistics: true), new UnfreezeStep(4, 2..^1));
        model.Fit(x, y, epochs: 3, batchSize: 32, seed: 7, verbose: 0, initialEpoch: 2, callbacks: [schedule]);
        Assert.All(model.Layers.Take(2), l => Assert.True(l.Trainable));
        Assert.Equal(BatchNormMode.Training, ((BatchNormalization)model.Layers[1]).Mode);
        Assert.All(model.Layers.Skip(2).SkipLast(1), l => Assert.False(l.Trainable)); // epoch 4 is not reached
    }

    [Fact]
    public void An_unfreezing_schedule_refuses_a_step_before_epoch_0()
    {
        var error = Assert.Throws<ArgumentException>(() => new UnfreezingSchedule(-1, ..));
        Assert.Contains("epoch -1", error.Message);
    }
}
