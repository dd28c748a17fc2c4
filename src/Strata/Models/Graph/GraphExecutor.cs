using Strata.Kernels;
using Strata.Layers;

namespace Strata;

/// <summary>
/// Runs a model's calls on batches: forward in order, each call reading the tensors its inputs stand for; backward
/// in reverse order, each call handing dL/dx to the calls that produced its inputs. A tensor read by several calls
/// (fan-out), or both read and taken as an output, gets the sum of their gradients, in a buffer kept from step to step;
/// a tensor with a single reader passes that reader's gradient on as it is. A call runs backward only when it or a call
/// before it has trainable weights; a layer's dX is computed only when a call before it has.
/// <para>Tensors are numbered: model input i is slot i, and call k's output is slot (inputs + k).</para>
/// </summary>
internal sealed class GraphExecutor
{
    private readonly Node[] _nodes;
    private readonly int _inputCount;
    private readonly int[][] _inputSlots;   // call k → the slots of its inputs
    private readonly int[] _outputSlots;    // model output j → its slot
    private readonly int[] _readers;        // slot → gradients it receives: its readers, plus one per model output it is
    private readonly Tensor[][] _arguments; // call k → its input tensors, for a merge layer
    private readonly Tensor[] _values;      // slot → its tensor in the last forward pass
    private readonly Tensor[] _outputs;     // the model outputs of the last forward pass
    private readonly Tensor?[] _gradients;  // slot → dL/d(slot) received so far in this backward pass
    private readonly Tensor?[] _sums;       // slot → the buffer summing the gradients of a slot with several
    private readonly int[] _received;       // slot → gradients received so far
    private readonly bool[] _fromLogits;    // call k → its output's gradient is dL/dz of a fused loss
    private bool[] _learns = [];            // slot → whether a call up to it has trainable weights

    public GraphExecutor(IReadOnlyList<SymbolicTensor> inputs, IReadOnlyList<SymbolicTensor> outputs, Node[] order)
    {
        _nodes = order;
        _inputCount = inputs.Count;
        int slots = inputs.Count + order.Length;
        var slotOf = new Dictionary<SymbolicTensor, int>();
        for (int i = 0; i < inputs.Count; i++) slotOf[inputs[i]] = i;
        for (int k = 0; k < order.Length; k++) slotOf[order[k].Output] = inputs.Count + k;
        _inputSlots = [.. order.Select(n => n.Inputs.Select(t => slotOf[t]).ToArray())];
        _outputSlots = [.. outputs.Select(t => slotOf[t])];
        _readers = new int[slots];
        foreach (var slotsRead in _inputSlots)
            foreach (int s in slotsRead) _readers[s]++;
        foreach (int s in _outputSlots) _readers[s]++;
        _arguments = [.. order.Select(n => n.Layer is Merge ? new Tensor[n.Inputs.Length] : [])];
        _values = new Tensor[slots];
        _outputs = new Tensor[outputs.Count];
        _gradients = new Tensor?[slots];
        _sums = new Tensor?[slots];
        _received = new int[slots];
        _fromLogits = new bool[order.Length];
        Configure();
    }

    /// <summary>
    /// Whether backward goes down to the model inputs (<see cref="InputGradient"/>), as if they were trainable; off by
    /// default, when the first layers skip dX. <see cref="Configure"/> applies it.
    /// </summary>
    public bool WantsInputGradients { get; set; }

    /// <summary>dL/dx of model input <paramref name="input"/> from the last backward pass, with <see cref="WantsInputGradients"/>.</summary>
    public Tensor? InputGradient(int input) => _gradients[input];

    /// <summary>The model outputs of the last forward pass (the layers' buffers).</summary>
    public Tensor[] Outputs => _outputs;

    /// <summary>The calls, in the order they run forward.</summary>
    public IReadOnlyList<Node> Nodes => _nodes;

    /// <summary>
    /// Works out, from the layers' current <see cref="Layer.Trainable"/> settings, which calls run backward and which
    /// need dX (call it again when those change: a model does at Compile). A later call of a shared layer follows the
    /// layer's setting.
    /// </summary>
    public void Configure()
    {
        _learns = new bool[_readers.Length];
        for (int i = 0; i < _inputCount; i++) _learns[i] = WantsInputGradients;
        for (int k = 0; k < _nodes.Length; k++)
        {
            var node = _nodes[k];
            if (!ReferenceEquals(node.Layer, node.Origin)) node.Layer.Trainable = node.Origin.Trainable;
            bool above = false;
            foreach (int s in _inputSlots[k]) above |= _learns[s];
            // dL/dx is needed only above the first layer with trainable weights: Flatten → Dense skips the
            // largest product of the backward pass, dX = dZ·Wᵀ of the first Dense.
            if (node.Layer is not Merge) node.Layer.NeedsInputGradient = above;
            _learns[_inputCount + k] = above || node.Layer.TrainableWeights.Any();
        }
    }

    /// <summary>Computes every call on a batch of each input; returns the model outputs (the layers' buffers).</summary>
    public Tensor[] Forward(ReadOnlySpan<Tensor> inputs, bool training)
    {
        ForwardCalls(inputs, training, _nodes.Length);
        for (int j = 0; j < _outputs.Length; j++) _outputs[j] = _values[_outputSlots[j]];
        return _outputs;
    }

    /// <summary>The tensor call <paramref name="call"/> read (its first input) in the last forward pass.</summary>
    public Tensor InputOf(int call) => _values[_inputSlots[call][0]];

    /// <summary>Computes the first <paramref name="calls"/> calls on a batch of each input (a forward pass cut short).</summary>
    public void ForwardCalls(ReadOnlySpan<Tensor> inputs, bool training, int calls)
    {
        for (int i = 0; i < _inputCount; i++) _values[i] = inputs[i];
        RunCalls(0, calls, training);
    }

    /// <summary>The output of call <paramref name="call"/> in the last forward pass (the layer's buffer).</summary>
    public Tensor CallOutput(int call) => _values[_inputCount + call];

    /// <summary>
    /// Computes calls <paramref name="firstCall"/> onward from <paramref name="value"/>, a batch of what call
    /// <paramref name="firstCall"/> − 1 outputs, which must be the only earlier tensor they read
    /// (<see cref="FrozenPrefixEnd"/>); returns the model outputs.
    /// </summary>
    public Tensor[] ForwardFrom(int firstCall, Tensor value, bool training)
    {
        _values[_inputCount + firstCall - 1] = value;
        RunCalls(firstCall, _nodes.Length, training);
        for (int j = 0; j < _outputs.Length; j++) _outputs[j] = _values[_outputSlots[j]];
        return _outputs;
    }

    /// <summary>
    /// The last call of the longest run of first calls that holds frozen weights, trains nothing and computes in a
    /// training pass what it computes in inference (<see cref="Layer.TrainingPassIsInference"/>), and whose output is
    /// the only tensor of it that later calls and the model outputs read; −1 when there is none or the model inputs
    /// need gradients. Its output for a sample never changes while the run stays frozen, so it may be computed once.
    /// </summary>
    public int FrozenPrefixEnd()
    {
        if (WantsInputGradients) return -1;
        int end = -1;
        bool holdsWeights = false;
        for (int k = 0; k < _nodes.Length - 1; k++)
        {
            var layer = _nodes[k].Layer;
            if (layer.TrainableWeights.Any() || !layer.TrainingPassIsInference) break;
            holdsWeights |= !layer.Trainable && layer.Weights.Count > 0;
            if (holdsWeights && OnlyReadAfter(k)) end = k;
        }
        return end;
    }

    /// <summary>Whether the calls after <paramref name="call"/> and the model outputs read no tensor before its output.</summary>
    private bool OnlyReadAfter(int call)
    {
        int slot = _inputCount + call;
        foreach (int s in _outputSlots)
            if (s <= slot) return false;
        for (int k = call + 1; k < _nodes.Length; k++)
            foreach (int s in _inputSlots[k])
                if (s < slot) return false;
        return true;
    }

    private void RunCalls(int from, int to, bool training)
    {
        for (int k = from; k < to; k++)
        {
            var layer = _nodes[k].Layer;
            var slots = _inputSlots[k];
            Tensor y;
            if (layer is Merge merge)
            {
                var arguments = _arguments[k];
                for (int j = 0; j < slots.Length; j++) arguments[j] = _values[slots[j]];
                y = merge.Forward(arguments, training);
            }
            else
            {
                y = layer.Forward(_values[slots[0]], training);
            }
            _values[_inputCount + k] = y;
        }
    }

    /// <summary>
    /// The layer of output <paramref name="output"/> when <paramref name="loss"/> fuses with its activation (softmax with
    /// a cross-entropy) and nothing else reads that output, so that the loss may hand it dL/dz directly.
    /// </summary>
    public ILogitsOutput? FusedOutput(int output, Loss loss)
    {
        int slot = _outputSlots[output];
        if (slot < _inputCount || _readers[slot] != 1) return null;
        return _nodes[slot - _inputCount].Layer is ILogitsOutput fused && loss.FusesWith(fused.OutputActivation) ? fused : null;
    }

    /// <summary>Starts a backward pass after a training forward pass.</summary>
    public void BeginBackward()
    {
        Array.Clear(_gradients);
        Array.Clear(_received);
        Array.Clear(_fromLogits);
    }

    /// <summary>Hands the loss's dL/dy of output <paramref name="output"/> to the graph.</summary>
    public void AddOutputGradient(int output, Tensor dy) => Receive(_outputSlots[output], dy);

    /// <summary>Hands a fused loss's dL/dz of output <paramref name="output"/> (see <see cref="FusedOutput"/>) to the graph.</summary>
    public void AddLogitsGradient(int output, Tensor dLogits)
    {
        int slot = _outputSlots[output];
        _fromLogits[slot - _inputCount] = true;
        Receive(slot, dLogits);
    }

    /// <summary>Runs backward through every call that has, or follows, trainable weights, in reverse order.</summary>
    public void Backward()
    {
        for (int k = _nodes.Length - 1; k >= 0; k--)
        {
            int slot = _inputCount + k;
            if (!_learns[slot] || _gradients[slot] is not { } dy) continue;
            var layer = _nodes[k].Layer;
            var slots = _inputSlots[k];
            if (layer is Merge merge)
            {
                var dInputs = merge.InputGradients(dy);
                for (int j = 0; j < slots.Length; j++)
                    if (_learns[slots[j]]) Receive(slots[j], dInputs[j]);
            }
            else
            {
                var dx = _fromLogits[k] ? ((ILogitsOutput)layer).BackwardFromLogits(dy) : layer.Backward(dy);
                if (_learns[slots[0]]) Receive(slots[0], dx);
            }
        }
    }

    /// <summary>Undoes every call's state changes of the last training pass, the last call first (a shared layer's calls stack).</summary>
    public void AbandonStep()
    {
        for (int k = _nodes.Length - 1; k >= 0; k--) _nodes[k].Layer.AbandonStep();
    }

    /// <summary>
    /// Adds <paramref name="gradient"/> to what <paramref name="slot"/> received: the first is kept as it is (the
    /// producer reads it before anything overwrites it: every call runs backward once), the second starts the sum in the
    /// slot's own buffer, later ones add to it.
    /// </summary>
    private void Receive(int slot, Tensor gradient)
    {
        switch (_received[slot]++)
        {
            case 0:
                _gradients[slot] = gradient;
                break;
            case 1:
                var sum = Tensor.Ensure(ref _sums[slot], gradient.Shape);
                MergeKernels.Sum(_gradients[slot]!.Span, gradient.Span, sum.Span);
                _gradients[slot] = sum;
                break;
            default:
                MergeKernels.Accumulate(gradient.Span, _gradients[slot]!.Span);
                break;
        }
    }
}
