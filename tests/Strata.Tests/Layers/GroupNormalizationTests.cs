using Strata.Layers;
using Strata.Tests.GradientCheck;
using static Strata.Tests.Layers.LayerNormalizationTests;

namespace Strata.Tests.Layers;

/// <summary>Keras's GroupNormalization: channels-last groups, statistics per sample and group, γ and β per channel.</summary>
[Collection(nameof(Strata.Tests.Kernels.WorkerPoolSettings))]
public class GroupNormalizationTests
{
    private static GroupNormalization Built(Shape input, int groups, bool center = true, bool scale = true, float epsilon = 1e-3f)
    {
        var gn = new GroupNormalization(groups, center: center, scale: scale, epsilon: epsilon);
        gn.Build(input, new Random(1));
        return gn;
    }

    [Fact]
    public void Each_group_of_each_sample_is_normalized_over_its_channels_and_positions()
    {
        // [N, H·W = 3, C = 4] in 2 groups: group 0 is channels 0–1 of all three positions.
        var gn = Built(new Shape(3, 4), groups: 2);
        var x = GradientChecker.Random(new Shape(2, 3, 4), seed: 1, scale: 3f);
        var y = gn.Forward(x, training: false);
        for (int n = 0; n < 2; n++)
        {
            for (int g = 0; g < 2; g++)
            {
                var members = (from p in Enumerable.Range(0, 3) from j in Enumerable.Range(0, 2) select n * 12 + p * 4 + g * 2 + j).ToArray();
                double mean = members.Average(i => x[i]), variance = members.Average(i => Math.Pow(x[i] - mean, 2));
                foreach (int i in members) Assert.Equal((x[i] - mean) / Math.Sqrt(variance + 1e-3), y[i], 5);
            }
        }
        Assert.Equal(2, gn.GroupCount);
        Assert.Equal(new Shape(4), gn.Gamma!.Shape);
    }

    [Fact]
    public void Minus_one_is_one_group_per_channel_instance_normalization()
    {
        var gn = Built(new Shape(2, 2, 3), groups: -1);
        Assert.Equal((-1, 3), (gn.Groups, gn.GroupCount));
        var x = GradientChecker.Random(new Shape(2, 2, 2, 3), seed: 2, scale: 2f);
        var y = gn.Forward(x, training: true);
        for (int n = 0; n < 2; n++)
        {
            for (int c = 0; c < 3; c++)
            {
                var channel = Enumerable.Range(0, 4).Select(p => y[n * 12 + p * 3 + c]).ToArray();
                Assert.Equal(0, channel.Average(), 5);
            }
        }
    }

    [Fact]
    public void One_group_on_vectors_is_layer_normalization()
    {
        var gn = Built(new Shape(6), groups: 1);
        var ln = new LayerNormalization();
        ln.Build(new Shape(6), new Random(1));
        Randomize(gn, 3);
        gn.Gamma!.Value.CopyTo(ln.Gamma!.Value);
        gn.Beta!.Value.CopyTo(ln.Beta!.Value);
        var x = GradientChecker.Random(new Shape(4, 6), seed: 4, scale: 2f);
        Near(ln.Forward(x, training: false).Span.ToArray(), gn.Forward(x, training: false).Span);
    }

    [Theory]
    [InlineData(2, true, true)]
    [InlineData(2, false, true)]
    [InlineData(2, true, false)]
    [InlineData(1, true, true)]
    [InlineData(-1, true, true)]
    public void Gradients_match_finite_differences_on_images(int groups, bool center, bool scale)
    {
        var gn = Built(new Shape(3, 2, 4), groups, center, scale, epsilon: 1e-2f);
        Randomize(gn, 5);
        GradientChecker.Check(gn, GradientChecker.Random(new Shape(2, 3, 2, 4), seed: 6, scale: 2f));
    }

    [Fact]
    public void Gradients_match_finite_differences_on_vectors()
    {
        var gn = Built(new Shape(6), groups: 3);
        Randomize(gn, 7);
        GradientChecker.Check(gn, GradientChecker.Random(new Shape(5, 6), seed: 8, scale: 2f));
    }

    [Fact]
    public void Groups_that_do_not_divide_the_channels_or_another_axis_are_refused_with_the_layer_and_shape()
    {
        var e = Assert.Throws<ArgumentException>(() => new GroupNormalization(3, name: "gn").Build(new Shape(5, 5, 4)));
        Assert.Contains("'gn'", e.Message);
        Assert.Contains("(None, 5, 5, 4)", e.Message);
        Assert.Contains("3 groups", e.Message);
        Assert.Throws<ArgumentException>(() => new GroupNormalization(8).Build(new Shape(4)));
        Assert.Contains("channels-last", Assert.Throws<ArgumentException>(() => new GroupNormalization(2, axis: 1).Build(new Shape(4, 5, 5))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GroupNormalization(0));
        new GroupNormalization(2, axis: 3).Build(new Shape(5, 5, 4)); // the last axis, counted from the batch
    }

    [Fact]
    public void A_steady_training_step_allocates_nothing()
    {
        var model = new Sequential(new Conv2D(4, 3, padding: "same", inputShape: [6, 6, 1]), new GroupNormalization(2), new Activation("relu"),
            new GlobalAveragePooling2D(), new Dense(3, activation: "softmax")) { Seed = 1 };
        Assert.Equal(0, SteadyAllocations.OfTraining(model, GradientChecker.Random(new Shape(8, 6, 6, 1), seed: 2), classes: 3));
    }
}
