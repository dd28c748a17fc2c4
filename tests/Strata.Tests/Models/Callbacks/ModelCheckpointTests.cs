using System.Globalization;
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

    [Fact]
    public void Keras_templates_fill_in_the_epoch_and_the_logs()
    {
        var (x, y) = TestModelFile.Images(64, 3);
        var checkpoint = new ModelCheckpoint(Path.Combine(_dir, "m-{epoch:02d}-{val_loss:.4f}-{loss:.2f}-{epoch}-{{x}}.strata"));
        var history = Model().Fit(x, y, epochs: 2, batchSize: 16, seed: 2, validationSplit: 0.25f, callbacks: [checkpoint]);
        string F(string key, int epoch, string format) => history.Values[key][epoch].ToString(format, CultureInfo.InvariantCulture);
        Assert.Equal([$"m-01-{F("val_loss", 0, "F4")}-{F("loss", 0, "F2")}-1-{{x}}.strata", $"m-02-{F("val_loss", 1, "F4")}-{F("loss", 1, "F2")}-2-{{x}}.strata"],
            checkpoint.Saved.Select(Path.GetFileName));
        Assert.All(checkpoint.Saved, p => Assert.True(File.Exists(p)));
        Assert.Equal(2, Sequential.Load(checkpoint.Saved[1]).EpochsCompleted);

        // A key without a spec is Python's str() of the value.
        var plain = new ModelCheckpoint(Path.Combine(_dir, "acc-{accuracy}.strata"));
        history = Model().Fit(x, y, epochs: 1, batchSize: 64, seed: 2, callbacks: [plain]);
        string accuracy = history.Values["accuracy"][0].ToString("R", CultureInfo.InvariantCulture);
        Assert.Equal($"acc-{(accuracy.Contains('.', StringComparison.Ordinal) ? accuracy : accuracy + ".0")}.strata", Path.GetFileName(plain.Saved[0]));
    }

    [Fact]
    public void An_unknown_key_is_refused_before_training_and_a_bad_template_at_once()
    {
        var (x, y) = TestModelFile.Images(32, 3);
        var model = Model();
        float[] before = model.Layers[1].Weights[0].Value.ToArray();
        var e = Assert.Throws<InvalidOperationException>(() =>
            model.Fit(x, y, epochs: 1, batchSize: 16, callbacks: [new ModelCheckpoint(Path.Combine(_dir, "m-{val_los:.4f}.strata"))]));
        Assert.Contains("'{val_los}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("loss, accuracy", e.Message, StringComparison.Ordinal);
        // val_loss exists only with validation data.
        e = Assert.Throws<InvalidOperationException>(() =>
            model.Fit(x, y, epochs: 1, batchSize: 16, callbacks: [new ModelCheckpoint(Path.Combine(_dir, "m-{val_loss:.4f}.strata"))]));
        Assert.Contains("'{val_loss}'", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, model.Layers[1].Weights[0].Value.ToArray()); // nothing trained
        Assert.Empty(Directory.GetFiles(_dir));

        foreach (var (template, reason) in new[]
        {
            ("m-{epoch:02x}.strata", "type one of"),
            ("m-{loss:02d}.strata", "'d' formats integers"),
            ("m-{epoch.strata", "never closed"),
            ("m-}.strata", "a single '}'"),
            ("m-{}.strata", "needs a log key"),
            ("m-{0}.strata", "needs a log key"),
            ("m-{loss!r}.strata", "needs a log key"),
        })
        {
            var bad = Assert.Throws<ArgumentException>(() => new ModelCheckpoint(template));
            Assert.Contains(reason, bad.Message, StringComparison.Ordinal);
        }
    }
}
