using System.CommandLine;
using Strata.Optimizers;

namespace Strata.Cli.Commands;

/// <summary>
/// The ways <c>strata train</c> can clip gradients, one option each (Keras's <c>clipvalue</c>, <c>clipnorm</c>,
/// <c>global_clipnorm</c>, and the adaptive AGC and AutoClip). They exclude each other, as the optimizer's own
/// arguments do; the command says so before any data is read, in the options' own names.
/// </summary>
internal sealed class ClippingOptions
{
    private readonly Option<float?> _value = CommonOptions.PositiveNumber("--clip-value", "Clamp every gradient to [-X, X] before the update");

    private readonly Option<float?> _norm = CommonOptions.PositiveNumber("--clip-norm", "Rescale each weight's gradient to an L2 norm of at most X");

    private readonly Option<float?> _globalNorm = CommonOptions.PositiveNumber("--global-clip-norm", "Rescale all gradients together to a global L2 norm of at most X");

    private readonly Option<float?> _agc = CommonOptions.PositiveNumber("--agc", "Adaptive gradient clipping (Brock et al. 2021): rescale each unit's gradient to a norm of at most X times its weights' norm (floored at 0.001), the final layer excluded; try 0.01");

    private readonly Option<float?> _autoClip = CommonOptions.Percentile("--auto-clip", "AutoClip (Seetharaman et al. 2020): rescale all gradients together to at most the P-th percentile of the global norms of all steps so far; try 10");

    /// <summary>Every clipping option, in the order the help lists them.</summary>
    public IReadOnlyList<Option> All => [_value, _norm, _globalNorm, _agc, _autoClip];

    /// <summary>Adds the options to <paramref name="command"/>, with the check that at most one is given.</summary>
    public void AddTo(Command command)
    {
        foreach (Option option in All) command.Options.Add(option);
        command.Validators.Add(result =>
        {
            var given = All.Where(o => result.GetResult(o) is { Implicit: false }).ToArray();
            if (given.Length > 1)
                result.AddError($"{string.Join(" and ", given.Select(o => o.Name))} cannot be combined: choose one way of clipping.");
        });
    }

    /// <summary>The thresholds given on the command line; all null without clipping.</summary>
    public Choice Read(ParseResult parsed) =>
        new(parsed.GetValue(_value), parsed.GetValue(_norm), parsed.GetValue(_globalNorm), parsed.GetValue(_agc), parsed.GetValue(_autoClip));

    /// <summary>The optimizer's clipping arguments as the options gave them; at most one is set.</summary>
    public sealed record Choice(float? ClipValue, float? ClipNorm, float? GlobalClipNorm, float? Agc, float? AutoClipPercentile)
    {
        /// <summary>The named optimizer (sgd, adam, adamw, rmsprop, nadam) at <paramref name="learningRate"/>, clipping as chosen.</summary>
        public Optimizer Create(string optimizer, float learningRate) => optimizer switch
        {
            "adam" => new Adam(learningRate, clipValue: ClipValue, clipNorm: ClipNorm, globalClipNorm: GlobalClipNorm, agc: Agc, autoClipPercentile: AutoClipPercentile),
            "adamw" => new AdamW(learningRate, clipValue: ClipValue, clipNorm: ClipNorm, globalClipNorm: GlobalClipNorm, agc: Agc, autoClipPercentile: AutoClipPercentile),
            "rmsprop" => new RmsProp(learningRate, clipValue: ClipValue, clipNorm: ClipNorm, globalClipNorm: GlobalClipNorm, agc: Agc, autoClipPercentile: AutoClipPercentile),
            "nadam" => new Nadam(learningRate, clipValue: ClipValue, clipNorm: ClipNorm, globalClipNorm: GlobalClipNorm, agc: Agc, autoClipPercentile: AutoClipPercentile),
            _ => new Sgd(learningRate, clipValue: ClipValue, clipNorm: ClipNorm, globalClipNorm: GlobalClipNorm, agc: Agc, autoClipPercentile: AutoClipPercentile),
        };
    }
}
