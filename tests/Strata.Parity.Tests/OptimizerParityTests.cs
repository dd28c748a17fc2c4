using System.Text.Json;
using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Parity.Tests;

/// <summary>
/// 20 steps of SGD (momentum, Nesterov), Adam, AdamW and RMSprop against torch.optim on the same model, data and
/// initial weights (tools/fixtures/optimizers.py), within 1e-5 relative; and global-norm clipping against
/// torch.nn.utils.clip_grad_norm_, which differs only by its +1e-6 in the denominator.
/// </summary>
public class OptimizerParityTests
{
    private static readonly JsonElement Data = Fixture.Load("optimizers.json");

    public static TheoryData<string> Names() => ["sgd_momentum", "sgd_nesterov", "adam", "adamw", "rmsprop"];

    private static Optimizer Make(string name) => name switch
    {
        "sgd_momentum" => new Sgd(0.1f, momentum: 0.9f),
        "sgd_nesterov" => new Sgd(0.1f, momentum: 0.9f, nesterov: true),
        "adam" => new Adam(0.01f, epsilon: 1e-10f),
        "adamw" => new AdamW(0.01f, weightDecay: 0.1f, epsilon: 1e-10f),
        "rmsprop" => new RmsProp(0.01f, rho: 0.9f, epsilon: 1e-10f),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Twenty_steps_match_torch_optim(string name)
    {
        var model = new Sequential(new Dense(4, activation: "tanh", inputShape: [5]), new Dense(3)) { Seed = 1 };
        model.Compile(Make(name), Losses.MeanSquaredError);
        var initial = Data.GetProperty("initial");
        var weights = model.Layers.SelectMany(l => l.Weights).ToArray();
        for (int i = 0; i < weights.Length; i++)
            initial[i].EnumerateArray().Select(v => v.GetSingle()).ToArray().CopyTo(weights[i].Value);
        var x = new Tensor(new Shape(8, 5), Data.Floats("x"));
        var y = new Tensor(new Shape(8, 3), Data.Floats("y"));

        var expected = Data.GetProperty("optimizers").GetProperty(name);
        float[] losses = expected.Floats("losses");
        for (int step = 0; step < Data.GetProperty("steps").GetInt32(); step++)
        {
            float loss = model.TrainOnBatch(x, y);
            Assert.True(Math.Abs(loss - losses[step]) <= 1e-5 * Math.Max(1, losses[step]), $"{name} step {step}: loss {loss}, PyTorch {losses[step]}");
        }
        var final = expected.GetProperty("weights");
        for (int i = 0; i < weights.Length; i++)
            Fixture.Close($"{name} {weights[i].Name}", final[i].EnumerateArray().Select(v => v.GetSingle()).ToArray(), weights[i].Value, 1e-5);
    }

    [Fact]
    public void Global_norm_clipping_matches_clip_grad_norm_within_its_epsilon()
    {
        var clip = Data.GetProperty("clip");
        var grads = clip.GetProperty("grads").EnumerateArray().Select(a => a.EnumerateArray().Select(v => v.GetSingle())).SelectMany(v => v).ToArray();
        var expected = clip.GetProperty("clipped").EnumerateArray().Select(a => a.EnumerateArray().Select(v => v.GetSingle())).SelectMany(v => v).ToArray();
        float norm = GradientClipping.ClipByGlobalNorm(grads, clip.GetProperty("max_norm").GetSingle());
        float total = clip.GetProperty("total_norm").GetSingle();
        Assert.True(Math.Abs(norm - total) <= 1e-5 * total, $"norm {norm}, PyTorch {total}");
        // PyTorch scales by 1/(N + 1e-6) where Keras (and Strata) scale by 1/N: a relative difference of 1e-6/N.
        Fixture.Close("clipped", expected, grads, 1e-6 / total + 1e-6);
    }
}
