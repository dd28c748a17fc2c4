using Strata.Layers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Layers;

public class DropoutTests
{
    [Fact]
    public void Training_drops_and_rescales_inference_is_the_identity()
    {
        var dropout = new Dropout(0.3f, seed: 1);
        dropout.Build(new Shape(10_000));
        var x = new Tensor(new Shape(1, 10_000));
        x.Span.Fill(1f);
        var y = dropout.Forward(x, training: true).Span.ToArray();
        Assert.All(y, v => Assert.True(v == 0f || Math.Abs(v - 1 / 0.7f) < 1e-6));
        Assert.InRange(y.Count(v => v == 0f) / 10_000.0, 0.28, 0.32);
        Assert.InRange(y.Average(), 0.97, 1.03); // the expectation is kept
        Assert.Same(x, dropout.Forward(x, training: false));
    }

    [Fact]
    public void A_frozen_dropout_drops_nothing_until_it_is_unfrozen()
    {
        // A frozen part of a reused network is deterministic: what a frozen prefix computes does not change with the step.
        var dropout = new Dropout(0.5f, seed: 1) { Trainable = false };
        dropout.Build(new Shape(100));
        var x = new Tensor(new Shape(2, 100));
        x.Span.Fill(1f);
        Assert.Same(x, dropout.Forward(x, training: true));
        Assert.Equal(0, dropout.MasksDrawn);
        dropout.Trainable = true;
        Assert.Contains(0f, dropout.Forward(x, training: true).Span.ToArray());
    }

    [Fact]
    public void A_training_pass_after_an_inference_pass_leaves_its_input_alone()
    {
        // Inference passes the input through; the next training pass must write into the layer's own buffer, not
        // into the tensor it passed through (another layer's output, which that layer may still need).
        var dropout = new Dropout(0.5f, seed: 2);
        dropout.Build(new Shape(50));
        var x = new Tensor(new Shape(4, 50));
        x.Span.Fill(1f);
        dropout.Forward(x, training: false);
        var y = dropout.Forward(x, training: true);
        Assert.NotSame(x, y);
        Assert.All(x.Span.ToArray(), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void A_seed_reproduces_the_masks()
    {
        float[] Masks(int seed)
        {
            var d = new Dropout(0.5f, seed: seed);
            d.Build(new Shape(64));
            var x = new Tensor(new Shape(2, 64));
            x.Span.Fill(1f);
            return [.. d.Forward(x, training: true).Span.ToArray(), .. d.Forward(x, training: true).Span.ToArray()];
        }
        Assert.Equal(Masks(7), Masks(7));
        Assert.NotEqual(Masks(7), Masks(8));
    }

    [Fact]
    public void The_mask_stream_is_frozen()
    {
        // Saved models resume their mask stream bit for bit, so these masks (kept 1, dropped 0) must never change:
        // masks 0 and 1 of seed 7 at rate 0.5, and mask 0 of seed 12345 at rate 0.25.
        static string Kept(Dropout d)
        {
            var x = new Tensor(new Shape(1, 64));
            x.Span.Fill(1f);
            return string.Concat(d.Forward(x, training: true).Span.ToArray().Select(v => v == 0f ? '0' : '1'));
        }
        var half = new Dropout(0.5f, seed: 7);
        half.Build(new Shape(64));
        Assert.Equal("1001011110101101011001101110100011010001000011011000011111111010", Kept(half));
        Assert.Equal("1110111110011011110011011100101000111010000001011100000111001110", Kept(half));
        var quarter = new Dropout(0.25f, seed: 12345);
        quarter.Build(new Shape(64));
        Assert.Equal("1001111101011011111111110101011011111010101111111111111011111110", Kept(quarter));
    }

    [Fact]
    public void Gradients_match_finite_differences_with_a_fixed_mask()
    {
        var dropout = new Dropout(0.4f, seed: 3) { ReuseDraw = true };
        dropout.Build(new Shape(5, 4));
        GradientChecker.Check(dropout, GradientChecker.Random(new Shape(3, 5, 4), seed: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1f));
    }

    [Fact]
    public void Reshape_infers_one_dimension_and_checks_sizes()
    {
        var reshape = new Reshape([-1, 4, 1]);
        Assert.Equal(new Shape(7, 4, 1), reshape.Build(new Shape(28)));
        GradientChecker.Check(reshape, GradientChecker.Random(new Shape(2, 28), seed: 5));
        Assert.Throws<ArgumentException>(() => new Reshape([5, 5]).Build(new Shape(28)));
        Assert.Throws<ArgumentException>(() => new Reshape([-1, -1]));
    }
}
