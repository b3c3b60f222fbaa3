"""Writes a PyTorch-layout state dict and its reference output (run: python3 make_pytorch_fixture.py;
needs numpy and safetensors).

The module is torch.nn.Sequential(Conv2d(1, 4, 3, padding=1), BatchNorm2d(4), ReLU(), Flatten(),
Linear(144, 5)) in eval mode. The tensors carry PyTorch's names and layouts (Linear weight
[out, in], BatchNorm running statistics and num_batches_tracked), saved the way
safetensors.torch.save_file saves a state_dict; the reference output follows PyTorch's eval-mode
formulas in float64 (torch itself is not installable on the machines this was written on)."""
import numpy as np
from safetensors.numpy import save_file

rng = np.random.default_rng(7)
state = {
    "0.weight": rng.uniform(-0.5, 0.5, (4, 1, 3, 3)).astype(np.float32),
    "0.bias": rng.uniform(-0.2, 0.2, (4,)).astype(np.float32),
    "1.weight": rng.uniform(0.5, 1.5, (4,)).astype(np.float32),
    "1.bias": rng.uniform(-0.3, 0.3, (4,)).astype(np.float32),
    "1.running_mean": rng.uniform(-0.2, 0.2, (4,)).astype(np.float32),
    "1.running_var": rng.uniform(0.5, 2.0, (4,)).astype(np.float32),
    "1.num_batches_tracked": np.array(12, dtype=np.int64),
    "4.weight": rng.uniform(-0.1, 0.1, (5, 144)).astype(np.float32),
    "4.bias": rng.uniform(-0.1, 0.1, (5,)).astype(np.float32),
}
x = rng.uniform(-1, 1, (2, 1, 6, 6)).astype(np.float32)

s = {k: v.astype(np.float64) for k, v in state.items()}
padded = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
conv = np.zeros((2, 4, 6, 6))
for i in range(3):
    for j in range(3):
        conv += np.einsum("nchw,oc->nohw", padded[:, :, i:i + 6, j:j + 6], s["0.weight"][:, :, i, j])
conv += s["0.bias"][None, :, None, None]
channel = lambda v: v[None, :, None, None]
bn = (conv - channel(s["1.running_mean"])) / np.sqrt(channel(s["1.running_var"]) + 1e-5) * channel(s["1.weight"]) + channel(s["1.bias"])
y = np.maximum(bn, 0).reshape(2, 144) @ s["4.weight"].T + s["4.bias"]

save_file(state, "pytorch_state.safetensors")
np.save("pytorch_input.npy", x)
np.save("pytorch_output.npy", y.astype(np.float32))
