using Strata.Layers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Inference;

/// <summary>Folding BatchNormalization inside a graph: into the conv before it in every residual block, and where it must stay.</summary>
public class FunctionalFoldingTests
{
    /// <summary>conv → BN → ReLU → conv → BN, plus a projection conv → BN shortcut, added, ReLU; pooled; Dense → BN → Dense.</summary>
    internal static Model ResidualBlock(int seed = 3)
    {
        var x = Input.Of(6, 6, 2);
        var h = new Activation("relu").Call(new BatchNormalization().Call(new Conv2D(4, 3, padding: "same").Call(x)));
        h = new BatchNormalization().Call(new Conv2D(4, 3, padding: "same", useBias: false).Call(h));
        var shortcut = new BatchNormalization().Call(new Conv2D(4, 1, strides: 1).Call(x));
        var sum = new Activation("relu").Call(new Add().Call(h, shortcut));
        var pooled = new GlobalAveragePooling2D().Call(sum);
        var hidden = new BatchNormalization().Call(new Dense(5, activation: "tanh").Call(pooled));
        var model = new Model(x, new Dense(3).Call(hidden)) { Seed = seed };
        BatchNormFoldingTests.Scramble(model);
        return model;
    }

    private static void AssertClose(Model expected, Model actual, Tensor x, double tolerance)
    {
        float[] e = expected.Predict(x).Span.ToArray(), a = actual.Predict(x).Span.ToArray();
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tolerance * Math.Max(1, Math.Abs(e[i])), $"[{i}] {e[i]} vs {a[i]}");
    }

    [Fact]
    public void Every_batch_norm_of_a_residual_block_folds_into_its_conv_or_the_next_dense()
    {
        var model = ResidualBlock();
        var folded = model.FoldBatchNormalization(out FoldReport report);
        Assert.Empty(report.Kept);
        Assert.Equal(4, report.Folded.Count);
        Assert.DoesNotContain(folded.Layers, l => l is BatchNormalization);
        Assert.IsNotType<Sequential>(folded);
        var convs = model.Layers.OfType<Conv2D>().Select(c => c.Name).ToArray();
        Assert.Equal(convs.Order(), report.Folded.Take(3).Select(f => f.Into).Order());
        Assert.Equal(model.Layers.OfType<Dense>().Last().Name, report.Folded[^1].Into);
        AssertClose(model, folded, GradientChecker.Random(new Shape(7, 6, 6, 2), seed: 4), 1e-5);
        // The folded graph still saves and loads.
        string path = Path.Combine(Path.GetTempPath(), $"strata-folded-{Guid.NewGuid():N}.safetensors");
        try
        {
            folded.Save(path);
            AssertClose(folded, Model.Load(path), GradientChecker.Random(new Shape(3, 6, 6, 2), seed: 5), 0);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_batch_norm_whose_neighbour_is_read_elsewhere_or_that_is_shared_stays_and_says_why()
    {
        var x = Input.Of(4);
        var dense = new Dense(4).Call(x);
        var read = new BatchNormalization(name: "read_twice").Call(dense);
        var other = new Activation("tanh").Call(dense); // the Dense's output has a second reader
        var shared = new BatchNormalization(name: "shared_bn");
        var a = shared.Call(new Dense(4, activation: "relu").Call(x));
        var b = shared.Call(new Dense(4, activation: "relu").Call(x));
        var split = new BatchNormalization(name: "split").Call(new Dense(4, activation: "relu").Call(x));
        var merged = new Concatenate().Call(read, other, a, b, new Activation("relu").Call(split), new Activation("sigmoid").Call(split));
        var model = new Model(x, new Dense(2).Call(merged)) { Seed = 2 };
        BatchNormFoldingTests.Scramble(model);

        var folded = model.FoldBatchNormalization(out FoldReport report);
        Assert.Empty(report.Folded);
        Assert.Contains(report.Kept, k => k.StartsWith("read_twice:") && k.Contains("followed by"));
        Assert.Contains(report.Kept, k => k.StartsWith("shared_bn:") && k.Contains("called 2 times"));
        Assert.Contains(report.Kept, k => k.StartsWith("split:") && k.Contains("several layers read its output"));
        AssertClose(model, folded, GradientChecker.Random(new Shape(5, 4), seed: 6), 0);
    }
}
