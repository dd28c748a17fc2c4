using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.Serialization;

namespace Strata.Tests.Models.Callbacks;

public sealed class ModelCheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("strata-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Sequential Model()
    {
        var model = new Sequential(new Flatten(inputShape: [8, 8, 1]), new Dense(8, activation: "relu"), new Dense(3, activation: "softmax")) { Seed = 1 };
        model.Compile(new Sgd(0.1f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        return model;
    }

    [Fact]
    public void Saves_every_epoch_with_the_epoch_in_the_name_and_the_last_file_resumes_training()
    {
        var (x, y) = TestModelFile.Images(64, 3);
        var model = Model();
        var checkpoint = new ModelCheckpoint(Path.Combine(_dir, "epoch-{epoch}.safetensors"));
        model.Fit(x, y, epochs: 3, batchSize: 16, seed: 2, callbacks: [checkpoint]);
        Assert.Equal(["epoch-1.safetensors", "epoch-2.safetensors", "epoch-3.safetensors"], checkpoint.Saved.Select(Path.GetFileName));
        var last = Sequential.Load(checkpoint.Saved[^1]);
        Assert.Equal(3, last.EpochsCompleted);
        Assert.Equal(model.Predict(x).Span.ToArray(), last.Predict(x).Span.ToArray());
    }

    [Fact]
    public void Save_best_only_writes_when_the_monitored_value_improves()
    {
        var (x, y) = TestModelFile.Images(64, 3);
        var model = Model();
        var checkpoint = new ModelCheckpoint(Path.Combine(_dir, "best.safetensors"), monitor: "val_accuracy", saveBestOnly: true);
        var history = model.Fit(x, y, epochs: 6, batchSize: 16, seed: 2, validationSplit: 0.25f, callbacks: [checkpoint]);
        var accuracies = history.Values["val_accuracy"];
        int improvements = accuracies.Select((a, i) => accuracies.Take(i).All(b => a > b)).Count(better => better);
        Assert.Equal(improvements, checkpoint.Saved.Count);
        int best = accuracies.IndexOf(accuracies.Max()) + 1;
        Assert.Equal(best, Sequential.Load(checkpoint.Saved[^1]).EpochsCompleted);
        Assert.Throws<InvalidOperationException>(() => Model().Fit(x, y, epochs: 1, callbacks: [new ModelCheckpoint(Path.Combine(_dir, "x"), "val_loss", saveBestOnly: true)]));

        // Resuming with the best value so far: a worse epoch writes nothing, a better one does.
        var resumed = new ModelCheckpoint(Path.Combine(_dir, "resumed.safetensors"), monitor: "val_accuracy", saveBestOnly: true,
            initialValueThreshold: 1.0);
        Model().Fit(x, y, epochs: 2, batchSize: 16, seed: 2, validationSplit: 0.25f, callbacks: [resumed]);
        Assert.Empty(resumed.Saved);
        var low = new ModelCheckpoint(Path.Combine(_dir, "low.safetensors"), monitor: "val_accuracy", saveBestOnly: true, initialValueThreshold: -1.0);
        Model().Fit(x, y, epochs: 1, batchSize: 16, seed: 2, validationSplit: 0.25f, callbacks: [low]);
        Assert.Single(low.Saved);
    }
}
