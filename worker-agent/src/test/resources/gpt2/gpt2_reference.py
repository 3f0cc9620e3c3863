#!/usr/bin/env python3
"""A reference GPT-2 in plain PyTorch, written from the published architecture (HF's
GPT2LMHeadModel: learned token and position embeddings; per layer ln_1, causal self-attention with
a fused c_attn and c_proj, residual, ln_2, MLP c_fc -> gelu_new -> c_proj, residual; ln_f; LM head
tied to wte; Conv1D weights stored [in, out]). It reads config.json and model.safetensors by hand,
so it needs no `transformers` package: the worker's tests check the DJL model against it, and the
benchmark measures it.

  gpt2_reference.py logits DIR TOKENS_JSON        -> {"logits": [...]} for one sequence
  gpt2_reference.py step DIR BATCH_JSON           -> loss before and after one AdamW step
  gpt2_reference.py bench --layers L --width C --heads H --vocab V --batch B --seq T --steps N
                          --threads K             -> fine-tuning tokens/s (best step, mean) and peak RSS
Output is one JSON object on stdout.
"""
import argparse
import json
import math
import resource
import struct
import sys
import time

import torch
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    base = 8 + n
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if name.startswith("transformer."):
            name = name[len("transformer.") :]
        if name == "lm_head.weight" or name.endswith(".attn.bias") or name.endswith(".attn.masked_bias"):
            continue
        begin, end = entry["data_offsets"]
        raw = bytearray(data[base + begin : base + end])
        t = torch.frombuffer(raw, dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
        tensors[name] = t.float().clone()
    return tensors


class Gpt2:
    def __init__(self, config, tensors, dropout):
        self.layers = config["n_layer"]
        self.width = config["n_embd"]
        self.heads = config["n_head"]
        self.eps = config.get("layer_norm_epsilon", 1e-5)
        self.tanh = config.get("activation_function", "gelu_new") != "gelu"
        self.dropout = dropout
        self.p = {name: t.clone().requires_grad_(True) for name, t in tensors.items()}
        self.training = False

    def gelu(self, x):
        if not self.tanh:
            return F.gelu(x)
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))

    def conv1d(self, x, prefix):
        shape = x.shape[:-1] + (self.p[prefix + ".weight"].shape[1],)
        return torch.addmm(self.p[prefix + ".bias"], x.reshape(-1, x.shape[-1]), self.p[prefix + ".weight"]).view(shape)

    def drop(self, x):
        return F.dropout(x, self.dropout, self.training) if self.dropout > 0 else x

    def forward(self, idx):
        p = self.p
        b, t = idx.shape
        c, h = self.width, self.heads
        pos = torch.arange(t, dtype=torch.long)
        x = self.drop(F.embedding(idx, p["wte.weight"]) + F.embedding(pos, p["wpe.weight"]))
        mask = torch.ones(t, t).tril().bool()
        for i in range(self.layers):
            l = "h.%d." % i
            a = F.layer_norm(x, (c,), p[l + "ln_1.weight"], p[l + "ln_1.bias"], self.eps)
            q, k, v = self.conv1d(a, l + "attn.c_attn").split(c, dim=2)
            q, k, v = (z.view(b, t, h, c // h).transpose(1, 2) for z in (q, k, v))
            att = (q @ k.transpose(-2, -1)) / math.sqrt(c // h)
            att = self.drop(att.masked_fill(~mask, float("-inf")).softmax(-1))
            y = (att @ v).transpose(1, 2).reshape(b, t, c)
            x = x + self.drop(self.conv1d(y, l + "attn.c_proj"))
            m = F.layer_norm(x, (c,), p[l + "ln_2.weight"], p[l + "ln_2.bias"], self.eps)
            x = x + self.drop(self.conv1d(self.gelu(self.conv1d(m, l + "mlp.c_fc")), l + "mlp.c_proj"))
        x = F.layer_norm(x, (c,), p["ln_f.weight"], p["ln_f.bias"], self.eps)
        return x @ p["wte.weight"].t()

    def optimizer(self, lr, weight_decay):
        decayed = [t for n, t in self.p.items() if decays(n)]
        rest = [t for n, t in self.p.items() if not decays(n)]
        return torch.optim.AdamW(
            [{"params": decayed, "weight_decay": weight_decay}, {"params": rest, "weight_decay": 0.0}],
            lr=lr, betas=(0.9, 0.999), eps=1e-8)


def decays(name):
    """The recipe's weight decay: the matmul (Conv1D) weights only."""
    return name.startswith("h.") and name.endswith(".weight") and ".ln_" not in name


def loss_of(model, inputs, targets):
    logits = model.forward(inputs)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


def load(directory, dropout):
    with open(directory + "/config.json") as f:
        config = json.load(f)
    return Gpt2(config, read_safetensors(directory + "/model.safetensors"), dropout)


def cmd_logits(args):
    model = load(args.dir, 0.0)
    with open(args.file) as f:
        tokens = json.load(f)
    with torch.no_grad():
        logits = model.forward(torch.tensor([tokens], dtype=torch.long))
    print(json.dumps({"logits": logits.reshape(-1).tolist()}))


def cmd_step(args):
    with open(args.file) as f:
        batch = json.load(f)
    model = load(args.dir, 0.0)
    model.training = True
    inputs = torch.tensor(batch["inputs"], dtype=torch.long)
    targets = torch.tensor(batch["targets"], dtype=torch.long)
    opt = model.optimizer(batch["learningRate"], batch["weightDecay"])
    loss = loss_of(model, inputs, targets)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(list(model.p.values()), batch["gradClip"])
    opt.step()
    with torch.no_grad():
        after = loss_of(model, inputs, targets)
    print(json.dumps({"lossBefore": loss.item(), "lossAfter": after.item()}))


def cmd_bench(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    c, inner = args.width, 4 * args.width
    shapes = {"wte.weight": (args.vocab, c), "wpe.weight": (1024, c), "ln_f.weight": (c,), "ln_f.bias": (c,)}
    for i in range(args.layers):
        l = "h.%d." % i
        shapes.update({l + "ln_1.weight": (c,), l + "ln_1.bias": (c,), l + "attn.c_attn.weight": (c, 3 * c),
                       l + "attn.c_attn.bias": (3 * c,), l + "attn.c_proj.weight": (c, c), l + "attn.c_proj.bias": (c,),
                       l + "ln_2.weight": (c,), l + "ln_2.bias": (c,), l + "mlp.c_fc.weight": (c, inner),
                       l + "mlp.c_fc.bias": (inner,), l + "mlp.c_proj.weight": (inner, c), l + "mlp.c_proj.bias": (c,)})
    tensors = {n: torch.randn(s) * 0.02 for n, s in shapes.items()}
    config = {"n_layer": args.layers, "n_embd": c, "n_head": args.heads}
    model = Gpt2(config, tensors, 0.1)
    model.training = True
    opt = model.optimizer(5e-5, 0.01)
    params = list(model.p.values())

    def step():
        inputs = torch.randint(0, args.vocab, (args.batch, args.seq))
        targets = torch.randint(0, args.vocab, (args.batch, args.seq))
        opt.zero_grad(set_to_none=True)
        loss = loss_of(model, inputs, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    seconds = sum(times)
    per_step = args.batch * args.seq
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"tokensPerSecond": per_step / min(times),
                      "meanTokensPerSecond": per_step * args.steps / seconds, "seconds": seconds,
                      "peakRssBytes": rss_kib * 1024, "torch": torch.__version__,
                      "threads": torch.get_num_threads()}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("logits", "step"):
        p = sub.add_parser(name)
        p.add_argument("dir")
        p.add_argument("file")
    b = sub.add_parser("bench")
    for arg in ("layers", "width", "heads", "vocab", "batch", "seq", "steps", "threads"):
        b.add_argument("--" + arg, type=int, required=True)
    b.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    {"logits": cmd_logits, "step": cmd_step, "bench": cmd_bench}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
