using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Tests.Models;

/// <summary>Fit trains a new head on the cached outputs of frozen first layers, and gets the uncached run's weights.</summary>
public class ModelFrozenFeaturesTests
{
    private static (History History, Model Model) Train(Func<Model> create, long cacheLimit, int epochs = 2, int samples = 90,
        IEnumerable<Callback>? callbacks = null)
    {
        var (x, y) = ModelFreezingTests.Data(samples, 1);
        var model = create();
        model.FrozenFeatureCacheLimit = cacheLimit;
        model.Compile(new Adam(0.005f), Losses.SparseCategoricalCrossentropy);
        var history = model.Fit(x, y, epochs: epochs, batchSize: 32, seed: 2, verbose: 0, validationSplit: 0.1f, callbacks: callbacks);
        return (history, model);
    }

    private static Model FrozenMlpBn()
    {
        var model = Presets.MlpBn(seed: 3);
        model.Freeze(..^1);
        return model;
    }

    [Fact]
    public void A_head_trained_on_cached_features_gets_the_weights_of_the_uncached_run()
    {
        var (cachedHistory, cached) = Train(FrozenMlpBn, cacheLimit: 1L << 30);
        var (plainHistory, plain) = Train(FrozenMlpBn, cacheLimit: 0);
        Assert.Equal(6, cachedHistory.StepsOnCachedFeatures); // 80 samples: 2 full batches and a partial one, twice
        Assert.Equal(0, plainHistory.StepsOnCachedFeatures);
        Assert.Equal(ModelFreezingTests.Values(plain.Layers), ModelFreezingTests.Values(cached.Layers));
        Assert.Equal(plainHistory["loss"], cachedHistory["loss"]);
        Assert.Equal(plainHistory["val_loss"], cachedHistory["val_loss"]);
    }

    private static Model FrozenConvolutions()
    {
        // Conv → BN → ReLU → pool blocks and Flatten frozen; Dense → BN (batch statistics) → ReLU → Dropout → output trained.
        var model = Presets.Get("cnn-bn").Create(Presets.FashionMnistShape, ModelTarget.Classification(10), seed: 4);
        int flatten = model.Layers.ToList().FindIndex(l => l is Flatten);
        model.Freeze(..(flatten + 1));
        return model;
    }

    [Fact]
    public void A_convolutional_base_caches_and_the_head_keeps_its_batch_statistics_and_dropout_draws()
    {
        var (cachedHistory, cached) = Train(FrozenConvolutions, cacheLimit: 1L << 30, epochs: 1);
        var (_, plain) = Train(FrozenConvolutions, cacheLimit: 0, epochs: 1);
        Assert.Equal(3, cachedHistory.StepsOnCachedFeatures);
        Assert.Equal(ModelFreezingTests.Values(plain.Layers), ModelFreezingTests.Values(cached.Layers));
    }

    [Fact]
    public void Unfreezing_during_fit_ends_the_cache_and_still_trains_as_the_uncached_run()
    {
        UnfreezingSchedule Schedule() => new(1, ..^1, learningRateMultiplier: 0.1f);
        var (cachedHistory, cached) = Train(FrozenMlpBn, cacheLimit: 1L << 30, epochs: 3, callbacks: [Schedule()]);
        var (_, plain) = Train(FrozenMlpBn, cacheLimit: 0, epochs: 3, callbacks: [Schedule()]);
        Assert.Equal(3, cachedHistory.StepsOnCachedFeatures); // the first epoch only
        Assert.Equal(ModelFreezingTests.Values(plain.Layers), ModelFreezingTests.Values(cached.Layers));
    }

    [Fact]
    public void Features_larger_than_the_limit_are_not_cached()
    {
        // 80 training samples (90 less a tenth, rounded down) × 100 features of the last frozen BN × 4 bytes.
        Assert.Equal(0, Train(FrozenMlpBn, cacheLimit: 31_999, epochs: 1).History.StepsOnCachedFeatures);
        Assert.Equal(3, Train(FrozenMlpBn, cacheLimit: 32_000, epochs: 1).History.StepsOnCachedFeatures);
    }

    [Fact]
    public void Nothing_is_cached_without_frozen_weights_or_when_a_random_layer_trains_first()
    {
        Assert.Equal(0, Train(() => Presets.MlpBn(seed: 5), cacheLimit: 1L << 30, epochs: 1).History.StepsOnCachedFeatures);
        var dropoutFirst = new Sequential(new Dropout(0.2f, inputShape: [28, 28], seed: 1), new Flatten(), new Dense(16, activation: "relu"), new Dense(10, activation: "softmax")) { Seed = 6 };
        dropoutFirst.Layers[2].Trainable = false;
        Assert.Equal(0, Train(() => dropoutFirst, cacheLimit: 1L << 30, epochs: 1).History.StepsOnCachedFeatures);
    }

    [Fact]
    public void The_cached_prefix_stops_where_a_later_call_reads_an_earlier_tensor()
    {
        var input = Input.Of(6);
        var frozen = new Dense(6, activation: "tanh", name: "frozen");
        var inner = new Dense(6, activation: "tanh", name: "inner");
        var a = frozen.Call(input);
        var residual = new Add().Call(inner.Call(a), a);
        var model = new Model(input, new Dense(3, activation: "softmax", name: "head").Call(residual)) { Seed = 7 };
        frozen.Trainable = false;
        inner.Trainable = false;
        model.Compile(new Sgd(0.1f), Losses.SparseCategoricalCrossentropy);
        var x = GradientCheck.GradientChecker.Random(new Shape(40, 6), seed: 8);
        var y = new Tensor(new Shape(40));
        for (int i = 0; i < 40; i++) y[i] = i % 3;
        var history = model.Fit(x, y, epochs: 1, batchSize: 16, seed: 9, verbose: 0);
        Assert.Equal(3, history.StepsOnCachedFeatures);
        Assert.Equal(2, model.FrozenPrefixEnd()); // calls frozen, inner, add, head: inner's output alone is not enough, the Add's is
        inner.Trainable = true;
        Assert.Equal(3, model.Fit(x, y, epochs: 1, batchSize: 16, seed: 9, verbose: 0).StepsOnCachedFeatures);
        Assert.Equal(0, model.FrozenPrefixEnd()); // `frozen`'s output feeds all the rest
    }
}
