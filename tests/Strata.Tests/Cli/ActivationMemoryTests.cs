using Strata.Cli.Commands;
using Strata.Data;
using Strata.Layers;

namespace Strata.Tests.Cli;

public class ActivationMemoryTests
{
    private static Sequential Model()
    {
        var model = new Sequential(new Flatten(inputShape: [28, 28]), new Dense(10, activation: "softmax")) { Name = "small" };
        model.Build(new Shape(28, 28));
        return model;
    }

    [Fact]
    public void Counts_the_input_and_every_layers_output_once_for_inference_and_three_times_for_training()
    {
        // Per sample: the input (784), Flatten's output (784) and Dense's (10).
        Assert.Equal(100L * 1578 * sizeof(float), ActivationMemory.Bytes(Model(), 100, training: false));
        Assert.Equal(3 * 100L * 1578 * sizeof(float), ActivationMemory.Bytes(Model(), 100, training: true));
    }

    [Fact]
    public void A_batch_beyond_the_budget_is_refused_naming_the_model_and_the_option()
    {
        var e = Assert.Throws<MemoryBudgetExceededException>(() =>
            ActivationMemory.Require(new MemoryBudget(1 << 20), Model(), 65_536, training: true, "--batch-size"));
        Assert.StartsWith("training model 'small' on batches of 65536 (--batch-size; its activations) would need 1.2 GB", e.Message, StringComparison.Ordinal);
        ActivationMemory.Require(new MemoryBudget(1 << 20), Model(), 100, training: false, "--batch-size");
    }
}
