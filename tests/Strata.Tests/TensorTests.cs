namespace Strata.Tests;

public class TensorTests
{
    [Fact]
    public void A_range_of_rows_is_a_copy_with_the_same_sample_shape()
    {
        var t = Tensor.FromArray(new Shape(4, 1, 2), 0, 1, 2, 3, 4, 5, 6, 7);
        var tail = t[1..^1];
        Assert.Equal(new Shape(2, 1, 2), tail.Shape);
        Assert.Equal([2f, 3, 4, 5], tail.Span.ToArray());
        tail[0] = 99;
        Assert.Equal(2f, t[2]);
        Assert.Equal(new Shape(0, 1, 2), t[4..].Shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => t[..5]);
    }

    [Fact]
    public void Shapes_print_like_python_and_compare_by_value()
    {
        Assert.Equal("(32, 784)", new Shape(32, 784).ToString());
        Assert.Equal("(10,)", new Shape(10).ToString());
        Assert.Equal("(None, 28, 28)", new Shape(28, 28).ToBatchString());
        Assert.Equal(new Shape(2, 3), new Shape(2, 3));
        Assert.NotEqual(new Shape(2, 3), new Shape(3, 2));
        Assert.Equal(6, new Shape(2, 3).Size);
        Assert.Equal(3, new Shape(2, 3)[-1]);
    }

    [Fact]
    public void Bad_shapes_are_refused_with_a_reason()
    {
        Assert.Contains("non-negative", Assert.Throws<ArgumentException>(() => new Shape(2, -1)).Message);
        Assert.Contains("more than", Assert.Throws<ArgumentException>(() => new Shape(100_000, 100_000)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Shape(2, 3)[2]);
    }

    [Fact]
    public void Tensors_check_their_data_and_reshape_without_copying()
    {
        Assert.Throws<ArgumentException>(() => Tensor.FromArray(new Shape(2, 2), 1, 2, 3));
        var t = Tensor.FromArray(new Shape(2, 3), 1, 2, 3, 4, 5, 6);
        Assert.Equal(6f, t[1, 2]);
        var r = t.Reshape(new Shape(3, 2));
        r[0] = 9;
        Assert.Equal(9f, t[0]);
        Assert.Throws<ArgumentException>(() => t.Reshape(new Shape(4, 2)));
    }
}
